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

int snapshot_write(const char *path, const uint8_t *luma, int w, int h,
		   int quality, char *err, size_t errlen)
{
	struct jpeg_compress_struct cinfo;
	struct jpeg_error_mgr jerr;
	char tmp[1100];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	cinfo.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&cinfo);
	jpeg_stdio_dest(&cinfo, f);
	cinfo.image_width = (JDIMENSION)w;
	cinfo.image_height = (JDIMENSION)h;
	cinfo.input_components = 1;
	cinfo.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, quality, TRUE);
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		JSAMPROW row = (JSAMPROW)(luma + (size_t)cinfo.next_scanline * w);

		jpeg_write_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
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
	r = posix_spawn(&pid, exe, NULL, NULL, argv, envp);
	free(envp);
	if (r != 0) {
		snprintf(err, errlen, "%s: %s", exe, strerror(r));
		return -1;
	}
	return pid;
}
