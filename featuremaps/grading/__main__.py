import sys

from featuremaps.grading.cli import main

sys.exit(main())
