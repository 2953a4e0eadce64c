// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil run`'s messages to systemd (run/notify.c), read from a datagram
 * socket of the test's own named in NOTIFY_SOCKET, as systemd reads them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "run/notify.h"

#define UNUSED __attribute__((unused))

static void test_status_text(void **state UNUSED)
{
	static struct vgl_run_stats s;
	char buf[VGL_NOTIFY_STATUS_MAX];

	s.kernel_total.emitted = 123456;
	s.lost = 7;
	s.user.alerts = 3;
	vgl_notify_status_text(&s, 59, buf, sizeof(buf));
	assert_string_equal(buf, "capturing: 123456 events, 7 lost, 3 alerts, 59 rules");
	memset(&s, 0, sizeof(s));
	vgl_notify_status_text(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf, "capturing: 0 events, 0 lost, 0 alerts, 0 rules");
}

struct listener {
	int fd;
	char path[108];
};

static void listen_notify(struct listener *l)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(l->path, sizeof(l->path), "/tmp/vigil-notify-test.%d", (int)getpid());
	unlink(l->path);
	strcpy(sa.sun_path, l->path);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", l->path, 1);
}

static void unlisten(struct listener *l)
{
	close(l->fd);
	unlink(l->path);
	unsetenv("NOTIFY_SOCKET");
}

/* The next datagram, or "" when none is queued. */
static const char *next_msg(struct listener *l)
{
	static char buf[512];
	ssize_t n = recv(l->fd, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static void test_messages(void **state UNUSED)
{
	struct vgl_notify n;
	struct listener l;
	unsigned long long usec;
	struct timespec ts;
	char pid[16];

	listen_notify(&l);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_USEC", "2000000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	vgl_notify_init(&n);
	assert_true(n.on);
	assert_int_equal(n.watchdog_usec, 2000000);
	assert_null(getenv("WATCHDOG_USEC")); /* not for vigil's children */
	assert_string_equal(next_msg(&l), "");

	vgl_notify_ready(&n);
	assert_string_equal(next_msg(&l), "READY=1");
	/* every half period of the watchdog, not more often */
	vgl_notify_watchdog(&n, 100.0);
	assert_string_equal(next_msg(&l), "WATCHDOG=1");
	vgl_notify_watchdog(&n, 100.9);
	assert_string_equal(next_msg(&l), "");
	vgl_notify_watchdog(&n, 101.0);
	assert_string_equal(next_msg(&l), "WATCHDOG=1");
	/* a status only when it changed */
	vgl_notify_status(&n, "capturing: 1 events, 0 lost, 0 alerts, 2 rules");
	assert_string_equal(next_msg(&l), "STATUS=capturing: 1 events, 0 lost, 0 alerts, 2 rules");
	vgl_notify_status(&n, "capturing: 1 events, 0 lost, 0 alerts, 2 rules");
	assert_string_equal(next_msg(&l), "");
	/* systemd >= 253 wants the time of the reload's start with it */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	vgl_notify_reloading(&n);
	assert_int_equal(sscanf(next_msg(&l), "RELOADING=1\nMONOTONIC_USEC=%llu", &usec), 1);
	assert_true(usec >= (unsigned long long)ts.tv_sec * 1000000);
	assert_true(usec < (unsigned long long)(ts.tv_sec + 5) * 1000000);
	vgl_notify_stopping(&n);
	assert_string_equal(next_msg(&l), "STOPPING=1");
	unlisten(&l);
}

/* WATCHDOG_PID of another process: the watchdog is not vigil's to feed. */
static void test_watchdog_of_another(void **state UNUSED)
{
	struct vgl_notify n;
	struct listener l;

	listen_notify(&l);
	setenv("WATCHDOG_USEC", "2000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	vgl_notify_init(&n);
	assert_int_equal(n.watchdog_usec, 0);
	vgl_notify_watchdog(&n, 100.0);
	assert_string_equal(next_msg(&l), "");
	unlisten(&l);
}

/* No NOTIFY_SOCKET (not under systemd): nothing is sent, nothing fails. */
static void test_without_socket(void **state UNUSED)
{
	struct vgl_notify n;

	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "2000000", 1);
	unsetenv("WATCHDOG_PID");
	vgl_notify_init(&n);
	assert_false(n.on);
	vgl_notify_ready(&n);
	vgl_notify_watchdog(&n, 100.0);
	vgl_notify_status(&n, "x");
	assert_string_equal(n.status, "");
	vgl_notify_reloading(&n);
	vgl_notify_stopping(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_watchdog_of_another),
		cmocka_unit_test(test_without_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
