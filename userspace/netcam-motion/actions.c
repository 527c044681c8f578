// SPDX-License-Identifier: GPL-2.0
#define _POSIX_C_SOURCE 200809L
#include "actions.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>     /* after jpeglib.h: JERR_FILE_WRITE */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/*
 * libjpeg's default error_exit prints and calls exit(): a full disk would
 * end the daemon at the next event. Ours jumps back into snapshot_write,
 * which reports the error and removes its temporary file.
 */
struct jpeg_failure {
	struct jpeg_error_mgr mgr;
	jmp_buf back;
	int saved_errno;        /* errno when libjpeg gave up (a write error) */
};

static void jpeg_failed(j_common_ptr cinfo)
{
	struct jpeg_failure *f = (struct jpeg_failure *)cinfo->err;

	f->saved_errno = errno;
	longjmp(f->back, 1);
}

/* libjpeg's warnings (none expected when compressing) are not ours to print */
static void jpeg_quiet(j_common_ptr cinfo)
{
	(void)cinfo;
}

/* Encodes the planes into f; 0, or -1 with err. */
static int encode(FILE *f, const char *tmp, const uint8_t *luma, const uint8_t *cb,
		  const uint8_t *cr, int w, int h, int quality, uint8_t *line,
		  char *err, size_t errlen)
{
	struct jpeg_compress_struct cinfo;
	struct jpeg_failure fail = { 0 };
	int cw = (w + 1) / 2;

	cinfo.err = jpeg_std_error(&fail.mgr);
	fail.mgr.error_exit = jpeg_failed;
	fail.mgr.output_message = jpeg_quiet;
	if (setjmp(fail.back)) {
		char msg[JMSG_LENGTH_MAX];

		/* JERR_FILE_WRITE says only "Output file write error" */
		if (fail.mgr.msg_code == JERR_FILE_WRITE && fail.saved_errno)
			snprintf(msg, sizeof(msg), "%s", strerror(fail.saved_errno));
		else
			(*fail.mgr.format_message)((j_common_ptr)&cinfo, msg);
		snprintf(err, errlen, "%s: %s", tmp, msg);
		jpeg_destroy_compress(&cinfo);
		return -1;
	}
	jpeg_create_compress(&cinfo);
	jpeg_stdio_dest(&cinfo, f);
	cinfo.image_width = (JDIMENSION)w;
	cinfo.image_height = (JDIMENSION)h;
	cinfo.input_components = line ? 3 : 1;
	cinfo.in_color_space = line ? JCS_YCbCr : JCS_GRAYSCALE;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, quality, TRUE);
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		size_t y = cinfo.next_scanline;
		JSAMPROW row = (JSAMPROW)(luma + y * w);

		/* libjpeg takes interleaved YCbCr rows: one row, chroma repeated */
		if (line) {
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
	return 0;
}

int snapshot_write(const char *path, const uint8_t *luma, const uint8_t *cb,
		   const uint8_t *cr, int w, int h, int quality, char *err,
		   size_t errlen)
{
	uint8_t *line = NULL;
	char tmp[1100];
	int r = 0;
	FILE *f;

	if (cb && cr) {
		line = malloc((size_t)w * 3);
		if (!line) {
			snprintf(err, errlen, "%s: out of memory", path);
			return -1;
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wbe");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(line);
		return -1;
	}
	if (encode(f, tmp, luma, cb, cr, w, h, quality, line, err, errlen))
		r = -1;
	free(line);
	/* on disk before it has its name: a crash leaves the old name or a
	 * whole picture, never a truncated one (EINVAL: a file that cannot
	 * be synced, such as a FIFO, has nothing to sync) */
	if (r == 0 && (fflush(f) != 0 || (fsync(fileno(f)) != 0 && errno != EINVAL))) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		r = -1;
	}
	if (fclose(f) != 0 && r == 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		r = -1;
	}
	if (r == 0 && rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -1;
	}
	if (r)
		unlink(tmp);
	return r;
}

pid_t hook_spawn(const char *exe, char *const argv[], char *const env[],
		 char *err, size_t errlen)
{
	posix_spawnattr_t attr;
	sigset_t none, all;
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

	/* The daemon blocks the signals its signalfd reads and ignores
	 * SIGPIPE; both would be inherited. A hook starts as from a shell:
	 * nothing blocked, every signal at its default (so that SIGTERM ends
	 * it and a closed pipe stops it). */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	r = posix_spawn(&pid, exe, NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (r != 0) {
		snprintf(err, errlen, "%s: %s", exe, strerror(r));
		return -1;
	}
	return pid;
}
