// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcamctl add NAME URL: a camera is one section; this writes it as its
 * own file, conf.d/NAME.conf, so that the user's netcam.conf is never
 * rewritten.  The section is checked alone and then with everything else
 * before it is put in place; a failure leaves nothing behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netcam-config.h"
#include "netcam-util.h"
#include "netcamctl.h"

static int write_all(int fd, const char *text)
{
	size_t len = strlen(text), done = 0;

	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return fsync(fd);
}

/* The URL may hold a password: readable by root and, when it exists, the
 * netcam group that netcamd runs in (it reads the file again on reload). */
static void restrict_access(int fd)
{
	struct group *gr = getgrnam("netcam");

	if (gr && fchown(fd, (uid_t)-1, gr->gr_gid) == 0)
		fchmod(fd, 0640);
	else
		fchmod(fd, 0600);
}

int netcamctl_add(const char *config_path, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "no-motion", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	char dir[CFG_PATH_LEN], path[CFG_PATH_LEN + 64], tmp[CFG_PATH_LEN + 64];
	char text[4096], err[1024], nodes[16] = "", when[64];
	const char *name, *url, *label = NULL;
	struct netcam_config cfg;
	struct cam_config *dup;
	int opt, no_motion = 0, fd, n;
	time_t now = time(NULL);

	optind = 0;	/* glibc: start over, with argument permutation */
	while ((opt = getopt_long(argc, argv, "l:n:", opts, NULL)) != -1) {
		switch (opt) {
		case 'l': label = optarg; break;
		case 'n': snprintf(nodes, sizeof(nodes), "%s", optarg); break;
		case 'M': no_motion = 1; break;
		default: goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	name = argv[optind];
	url = argv[optind + 1];
	if (!config_valid_name(name)) {
		fprintf(stderr, "netcamctl: add: '%s' is not a camera name (1..%d of A-Z a-z 0-9 . _ -)\n",
			name, CFG_NAME_LEN - 1);
		return NETCAM_EXIT_CONFIG;
	}
	if (config_load(config_path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "netcamctl: add: fix the configuration first: %s\n", err);
		return NETCAM_EXIT_CONFIG;
	}
	dup = config_find(&cfg, name);
	if (dup) {
		fprintf(stderr, "netcamctl: add: camera '%s' already exists (%s:%d)\n", name,
			dup->file, dup->line);
		config_free(&cfg);
		return NETCAM_EXIT_CONFIG;
	}
	config_free(&cfg);

	strftime(when, sizeof(when), "%Y-%m-%d", localtime(&now));
	n = snprintf(text, sizeof(text),
		     "# Added by netcamctl add on %s; see netcam.conf(5).\n[%s]\nurl = %s\n%s%s%s%s%s%s%s",
		     when, name, url, label ? "label = " : "", label ? label : "",
		     label ? "\n" : "", nodes[0] ? "nodes = " : "", nodes, nodes[0] ? "\n" : "",
		     no_motion ? "motion = no\n" : "");
	if (n < 0 || (size_t)n >= sizeof(text) || strchr(url, '\n') ||
	    (label && strchr(label, '\n'))) {
		fprintf(stderr, "netcamctl: add: the url or label is too long or has a line break\n");
		return NETCAM_EXIT_CONFIG;
	}
	config_dropin_dir(config_path, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	/* The section alone first: its errors name the option, not a file. */
	if (config_parse_string(text, path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "netcamctl: add: %s\n", err);
		return NETCAM_EXIT_CONFIG;
	}
	config_free(&cfg);

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "netcamctl: add: %s: %s\n", dir, strerror(errno));
		return NETCAM_EXIT_RUNTIME;
	}
	/* A dot file while it is written: the reader skips those. */
	snprintf(tmp, sizeof(tmp), "%s/.%s.conf.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "netcamctl: add: %s: %s\n", tmp, strerror(errno));
		return NETCAM_EXIT_RUNTIME;
	}
	restrict_access(fd);
	if (write_all(fd, text) < 0 || close(fd) < 0) {
		fprintf(stderr, "netcamctl: add: %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		return NETCAM_EXIT_RUNTIME;
	}
	if (link(tmp, path) < 0) {	/* unlike rename, never replaces a file */
		fprintf(stderr, "netcamctl: add: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return errno == EEXIST ? NETCAM_EXIT_CONFIG : NETCAM_EXIT_RUNTIME;
	}
	unlink(tmp);
	if (config_load(config_path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "netcamctl: add: %s; %s not added\n", err, path);
		unlink(path);
		return NETCAM_EXIT_CONFIG;
	}
	config_free(&cfg);
	printf("added camera '%s' in %s\n"
	       "start it: systemctl daemon-reload && systemctl start netcam.target\n",
	       name, path);
	return NETCAM_EXIT_OK;
usage:
	fprintf(stderr, "usage: netcamctl add NAME URL [--label LABEL] [--nodes N] [--no-motion]\n");
	return NETCAM_EXIT_CONFIG;
}
