// Test harness of the training-storage sandbox test (see ../efs-training-data.ts), run by Lambda
// with the training-data directory of the EFS file system mounted at MOUNT_PATH: writes each file of
// the event (`{ "files": { "<name>": "<text>" } }`) into that directory and answers with the names
// written, sorted. A name is one file of the directory: a path is refused, so nothing is written
// outside it.
const fs = require('fs/promises');
const path = require('path');
/**
 * @param {{ files?: Record<string, unknown> } | undefined} event
 * @returns {Promise<{ written: string[] }>}
 */
exports.handler = async (event) => {
  const directory = process.env.MOUNT_PATH;
  if (!directory) throw new Error('MOUNT_PATH is not set: the directory where the file system is mounted');
  const files = Object.entries((event && event.files) || {});
  if (files.length === 0) throw new Error('no files to write: send { "files": { "<name>": "<text>" } }');
  for (const [name, text] of files) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error('not a file name: ' + JSON.stringify(name));
    if (typeof text !== 'string') throw new Error('the text of ' + name + ' is not a string');
    await fs.writeFile(path.join(directory, name), text);
  }
  return { written: files.map(([name]) => name).sort() };
};
