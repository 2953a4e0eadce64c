// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>

#include "run/signals.h"

static void loop_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGUSR1);
}

int vgl_signals_block(void)
{
	sigset_t mask;
	int ret;

	loop_signals(&mask);
	ret = pthread_sigmask(SIG_BLOCK, &mask, NULL);
	return ret ? -ret : 0;
}

int vgl_signals_fd(void)
{
	sigset_t mask;
	int fd;

	loop_signals(&mask);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}
