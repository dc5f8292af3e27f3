"""The app's Spark job: reads its input and writes it back (what the jobs run is the user's)."""
import sys

if __name__ == "__main__":
    print("arguments:", sys.argv[1:])
