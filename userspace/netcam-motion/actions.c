// SPDX-License-Identifier: GPL-2.0
#include "actions.h"

#include <errno.h>
#include <stdio.h>
#include <jpeglib.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int snapshot_write(const char *path, const uint8_t *luma, const uint8_t *cb,
		   const uint8_t *cr, int w, int h, int quality, char *err,
		   size_t errlen)
{
	struct jpeg_compress_struct cinfo;
	struct jpeg_error_mgr jerr;
	int colour = cb && cr;
	int cw = (w + 1) / 2;
	uint8_t *line = NULL;
	char tmp[1100];
	FILE *f;

	/* libjpeg takes interleaved YCbCr rows: one row, chroma repeated */
	if (colour) {
		line = malloc((size_t)w * 3);
		if (!line) {
			snprintf(err, errlen, "%s: out of memory", path);
			return -1;
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(line);
		return -1;
	}
	cinfo.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&cinfo);
	jpeg_stdio_dest(&cinfo, f);
	cinfo.image_width = (JDIMENSION)w;
	cinfo.image_height = (JDIMENSION)h;
	cinfo.input_components = colour ? 3 : 1;
	cinfo.in_color_space = colour ? JCS_YCbCr : JCS_GRAYSCALE;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, quality, TRUE);
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		size_t y = cinfo.next_scanline;
		JSAMPROW row = (JSAMPROW)(luma + y * w);

		if (colour) {
			const uint8_t *u = cb + (y / 2) * cw, *v = cr + (y / 2) * cw;

			for (int x = 0; x < w; x++) {
				line[3 * x] = luma[y * w + x];
				line[3 * x + 1] = u[x / 2];
				line[3 * x + 2] = v[x / 2];
			}
			row = line;
		}
		jpeg_write_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	free(line);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

pid_t hook_spawn(const char *exe, char *const argv[], char *const env[],
		 char *err, size_t errlen)
{
	size_t n = 0, m = 0;
	char **envp;
	pid_t pid;
	int r;

	while (environ[n])
		n++;
	while (env[m])
		m++;
	envp = calloc(n + m + 1, sizeof(char *));
	if (!envp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(envp, env, m * sizeof(char *));
	/* ours first; drop inherited NETCAM_* so ours win */
	for (size_t i = 0, k = m; i < n; i++)
		if (strncmp(environ[i], "NETCAM_", 7) != 0)
			envp[k++] = environ[i];
	posix_spawnattr_t attr;

	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	r = posix_spawn(&pid, exe, NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (r != 0) {
		snprintf(err, errlen, "%s: %s", exe, strerror(r));
		return -1;
	}
	return pid;
}
