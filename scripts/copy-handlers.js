#!/usr/bin/env node
// Part of `npm run build`: copies each Lambda handler directory of lib/ (`lib/**/<name>-handler/`,
// plain JavaScript) unchanged to the same place under dist/. A construct loads its handler with
// `lambda.Code.fromAsset(path.join(__dirname, '<name>-handler'))`, which then finds it both in the
// repository (lib/, run through tsx) and in the package (dist/), with the same asset hash.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

function copyHandlers(dir) {
  for (const entry of fs.readdirSync(path.join(root, 'lib', dir), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const relative = path.join(dir, entry.name);
    if (entry.name.endsWith('-handler')) {
      fs.cpSync(path.join(root, 'lib', relative), path.join(root, 'dist', relative), { recursive: true });
    } else {
      copyHandlers(relative);
    }
  }
}

copyHandlers('');
