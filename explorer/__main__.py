"""``python -m explorer`` starts Softmax Explorer (absolute imports for frozen builds)."""

import sys

from explorer.cli import main

if __name__ == "__main__":
    sys.exit(main())
