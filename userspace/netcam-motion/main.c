// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion: motion events from V4L2 cameras, or from a recorded clip.
 *
 * Exit codes: 0 ok, 1 runtime error (bad clip, device, I/O),
 * 2 usage or configuration error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "detect.h"
#include "events.h"
#include "netcam-config.h"
#include "replay.h"

#define VERSION "0.1"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: netcam-motion [-c CONFIG]        watch the cameras of CONFIG\n"
		"       netcam-motion --check-config [-c CONFIG]\n"
		"       netcam-motion --replay CLIP [--camera-config CONFIG [--camera NAME]]\n"
		"                     [--log FILE] [--debug]\n"
		"options:\n"
		"  -c, --config FILE         configuration, netcam.conf(5) (default\n"
		"                            " NETCAM_CONFIG_PATH " and its conf.d/)\n"
		"  -r, --replay CLIP         run the detector on a recording (Y4M, MP4, MKV, AVI,\n"
		"                            ... or a URL; '-': Y4M on stdin) as fast as it\n"
		"                            decodes; JSON lines to stdout\n"
		"      --camera-config FILE  take detection settings from this config\n"
		"      --camera NAME         ... from this camera's section (default: first)\n"
		"  -l, --log FILE            JSON lines to FILE (appended) instead of stdout\n"
		"  -q, --quiet               log warnings and errors only\n"
		"      --debug               per-frame detector figures on stderr\n"
		"      --check-config        parse the config and exit (0 ok, 2 error)\n"
		"      --once                open each camera once, report and exit\n"
		"                            (0 all usable, 1 otherwise)\n"
		"  -h, --help, --version\n"
		"exit codes: 0 ok, 1 runtime error, 2 usage or configuration error\n");
}

int main(int argc, char **argv)
{
	enum { O_CAMCFG = 256, O_CAMERA, O_DEBUG, O_CHECK, O_VERSION, O_ONCE };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "replay", required_argument, NULL, 'r' },
		{ "camera-config", required_argument, NULL, O_CAMCFG },
		{ "camera", required_argument, NULL, O_CAMERA },
		{ "log", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "debug", no_argument, NULL, O_DEBUG },
		{ "check-config", no_argument, NULL, O_CHECK },
		{ "once", no_argument, NULL, O_ONCE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfgpath = NULL, *clip = NULL, *camcfg = NULL, *camname = NULL;
	const char *logpath = NULL;
	int c, debug = 0, check = 0, quiet = 0;
	static struct netcam_config cfg;
	char err[1024];

	while ((c = getopt_long(argc, argv, "c:r:l:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfgpath = optarg; break;
		case 'r': clip = optarg; break;
		case O_CAMCFG: camcfg = optarg; break;
		case O_CAMERA: camname = optarg; break;
		case 'l': logpath = optarg; break;
		case 'q': quiet = 1; break;
		case O_DEBUG: debug = 1; daemon_debug = 1; break;
		case O_CHECK: check = 1; break;
		case O_ONCE: daemon_once = 1; break;
		case 'h': usage(stdout); return 0;
		case O_VERSION: printf("netcam-motion %s\n", VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* -q and --debug win over the configuration's log_level */
	log_max_level = debug ? LOG_DEBUG_P : quiet ? LOG_WARN_P : LOG_INFO_P;
	if (optind < argc) {
		fprintf(stderr, "netcam-motion: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (clip) {
		static struct cam_config def;
		const struct cam_config *cam = &def;

		if (cfgpath && !camcfg)
			camcfg = cfgpath;
		memset(&def, 0, sizeof(def));
		strcpy(def.name, "replay");
		md_params_default(&def.motion.p);
		if (camcfg) {
			if (config_load(camcfg, &cfg, err, sizeof(err))) {
				log_msg(LOG_ERR_P, "%s", err);
				return 2;
			}
			def.motion.p = cfg.motion_defaults;
			if (camname) {
				cam = config_find(&cfg, camname);
				if (!cam) {
					log_msg(LOG_ERR_P, "%s: no [%s] section", camcfg, camname);
					return 2;
				}
			} else if (cfg.num_cameras) {
				cam = &cfg.cameras[0];
			}
		} else if (camname) {
			snprintf(def.name, sizeof(def.name), "%s", camname);
		}
		return replay(clip, cam, logpath, debug);
	}
	if (!cfgpath)
		cfgpath = NETCAM_CONFIG_PATH;
	if (config_load(cfgpath, &cfg, err, sizeof(err))) {
		log_msg(LOG_ERR_P, "%s", err);
		return 2;
	}
	if (daemon_check(&cfg, err, sizeof(err))) {
		log_msg(LOG_ERR_P, "%s", err);
		return 2;
	}
	if (check) {
		int n = 0;

		for (int i = 0; i < cfg.num_cameras; i++)
			n += cfg.cameras[i].motion.enabled;
		printf("%s: ok, %d camera(s)\n", cfgpath, n);
		return 0;
	}
	if (!debug && !quiet)
		log_max_level = cfg.log_level;
	daemon_event_log = logpath;
	return daemon_run(&cfg, cfgpath);
}
