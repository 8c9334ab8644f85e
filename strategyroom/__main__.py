import sys

from strategyroom.cli import main

sys.exit(main())
