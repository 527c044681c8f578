#!/bin/sh
# netcam-remove NAME: remove a netcam camera (netcam-feed --remove NAME).
# Exit status: 0 removed, 1 device or ioctl error, 2 usage error.
if [ $# -ne 1 ] || [ "$1" = --help ]; then
	echo "usage: netcam-remove NAME" >&2
	exit 2
fi
exec "$(dirname "$0")/netcam-feed" --remove "$1"
