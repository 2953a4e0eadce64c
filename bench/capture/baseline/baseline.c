// SPDX-License-Identifier: Apache-2.0
/*
 * vigil-capture-baseline: loads baseline.bpf.c with one of its two hooks and
 * counts the records until SIGTERM/SIGINT, then prints
 *	baseline hook=HOOK received=N lost=0
 * on stdout ("ready" goes to stderr once attached). The capture benchmark
 * runs it in the same rounds as vigil (bench/capture/run.sh -b).
 *
 *	vigil-capture-baseline exit|tracepoint
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "baseline.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	++*(unsigned long long *)ctx;
	return 0;
}

static int run(struct baseline_bpf *skel, const char *hook)
{
	unsigned long long received = 0;
	struct bpf_program *prog;
	struct ring_buffer *rb;
	struct bpf_link *link;

	prog = strcmp(hook, "exit") == 0 ? skel->progs.base_sys_exit : skel->progs.base_exit_openat;
	link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "baseline: attaching %s: %s\n", hook, strerror(errno));
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_record, &received, NULL);
	if (!rb) {
		fprintf(stderr, "baseline: ring buffer: %s\n", strerror(errno));
		bpf_link__destroy(link);
		return 1;
	}
	fprintf(stderr, "baseline: ready\n");
	while (!stop) {
		int n = ring_buffer__poll(rb, 100);

		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "baseline: poll: %s\n", strerror(-n));
			break;
		}
	}
	bpf_link__destroy(link);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	printf("baseline hook=%s received=%llu\n", hook, received);
	return 0;
}

int main(int argc, char **argv)
{
	struct baseline_bpf *skel;
	int ncpus, ret;

	if (argc != 2 || (strcmp(argv[1], "exit") != 0 && strcmp(argv[1], "tracepoint") != 0)) {
		fprintf(stderr, "usage: vigil-capture-baseline exit|tracepoint\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = baseline_bpf__open();
	if (!skel) {
		fprintf(stderr, "baseline: opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	ncpus = libbpf_num_possible_cpus();
	skel->rodata->openat_nr = __NR_openat;
	skel->rodata->self_tgid = (unsigned)getpid();
	skel->rodata->wakeup_bytes_cpu = (64u << 10) / (unsigned)(ncpus > 0 ? ncpus : 1);
	/* load only the program that will be attached */
	bpf_program__set_autoload(strcmp(argv[1], "exit") == 0 ? skel->progs.base_exit_openat
							       : skel->progs.base_sys_exit,
				  false);
	ret = baseline_bpf__load(skel);
	if (ret) {
		fprintf(stderr, "baseline: loading: %s\n", strerror(-ret));
		baseline_bpf__destroy(skel);
		return 1;
	}
	ret = run(skel, argv[1]);
	baseline_bpf__destroy(skel);
	return ret;
}
