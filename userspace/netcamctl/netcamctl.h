/* SPDX-License-Identifier: GPL-2.0-only */
/* netcamctl: the commands, one file each. */
#ifndef NETCAMCTL_H
#define NETCAMCTL_H

/* Each returns the exit status (netcamctl(8)). */
int netcamctl_add(const char *config_path, int argc, char **argv);

#endif
