import os
import sys

print("hello from", sys.prefix, "as uid", os.getuid())
