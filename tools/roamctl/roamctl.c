// SPDX-License-Identifier: GPL-2.0
/*
 * roamctl: configure and inspect roam, the AF_ROAM socket family, over
 * its generic netlink family.
 *
 *   roamctl [-j] [-p] [-n NETNS] [-V] OBJECT COMMAND [ARGS]
 *   roamctl [-j] [-p] [-n NETNS] [-force] -batch FILE
 */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"
#include "roamctl.h"

bool opt_json;
bool opt_pretty;
const char *opt_netns;

static void usage(FILE *f)
{
	fputs("Usage: roamctl [OPTIONS] OBJECT { COMMAND | help }\n"
	      "       roamctl [OPTIONS] [-f[orce]] -b[atch] FILE\n"
	      "       roamctl [OPTIONS] help\n"
	      "OBJECT := { config | stats | listener | conn | key | monitor }\n"
	      "OPTIONS := { -j[son] | -p[retty] | -n[etns] NETNS | -V[ersion] | -h[elp] }\n"
	      "\n"
	      "Commands:\n"
	      "  config show                          the namespace's config\n"
	      "  config set KEY VALUE [KEY VALUE...]  change config fields\n"
	      "  stats show                           the namespace's counters\n"
	      "  listener show                        listening sockets\n"
	      "  conn show                            connections\n"
	      "  conn migrate id CID                  make a connection hop now\n"
	      "  key add ID secret FILE               add a pre-shared key\n"
	      "  key del ID                           delete a pre-shared key\n"
	      "  key show                             key ids and their users\n"
	      "  key genkey                           print a new random key\n"
	      "  monitor                              print events as they happen\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json           JSON output\n"
	      "  -p, --pretty         pretty JSON (with -j)\n"
	      "  -n, --netns NETNS    run in network namespace NETNS, as \"ip -n\"\n"
	      "  -b, --batch FILE     run the commands in FILE ('-': standard\n"
	      "                       input), one a line, as \"OBJECT COMMAND\";\n"
	      "                       stop at the first that fails\n"
	      "  -f, --force          with -b, go on after a failure\n"
	      "  -V, --version        print the version\n"
	      "  -h, --help           print this help\n"
	      "\n"
	      "\"roamctl OBJECT help\" describes an object.  \"show\" also reads\n"
	      "\"list\" or \"ls\"; an object alone means \"show\".\n"
	      "Exit status: 0 success, 1 failure, 2 the kernel refused the request,\n"
	      "255 command-line error.\n", f);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} objects[] = {
	{ "config",	do_config },
	{ "stats",	do_stats },
	{ "listener",	do_listener },
	{ "conn",	do_conn },
	{ "key",	do_key },
	{ "monitor",	do_monitor },
	{ "help",	do_help },
};

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "pretty",	no_argument,		NULL, 'p' },
	{ "netns",	required_argument,	NULL, 'n' },
	{ "batch",	required_argument,	NULL, 'b' },
	{ "force",	no_argument,		NULL, 'f' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static bool netns_name_ok(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..");
}

/* Runs one command, "OBJECT COMMAND [ARGS]", and returns its exit status. */
static int run_object(int argc, char **argv)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(objects); i++) {
		if (strcmp(argv[0], objects[i].name))
			continue;
		ret = objects[i].fn(argc - 1, argv + 1);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "roamctl: write error: %m\n");
			if (!ret)
				ret = EXIT_FAIL;
		}
		return ret;
	}
	fprintf(stderr, "roamctl: unknown object \"%s\"\n", argv[0]);
	usage(stderr);
	return EXIT_PARSE;
}

#define BATCH_ARGS_MAX	64

/*
 * Splits @line in place into words, as a shell would without expansions:
 * blanks separate them, and single or double quotes keep blanks in one.
 * A '#' that starts a word starts a comment.  Returns the number of
 * words, or -1 for an unterminated quote or too many words.
 */
static int batch_split(char *line, char **argv)
{
	char *in = line, *out;
	int argc = 0;

	for (;;) {
		while (isspace((unsigned char)*in))
			in++;
		if (!*in || *in == '#')
			return argc;
		if (argc == BATCH_ARGS_MAX)
			return -1;
		argv[argc++] = out = in;
		while (*in && !isspace((unsigned char)*in)) {
			if (*in == '"' || *in == '\'') {
				char q = *in++;

				while (*in && *in != q)
					*out++ = *in++;
				if (!*in)
					return -1;
				in++;
				continue;
			}
			*out++ = *in++;
		}
		if (*in)
			in++;
		*out = '\0';
	}
}

/*
 * -batch FILE: each line is a command, as iproute2's "ip -batch" reads
 * them.  The first that fails ends the batch, unless @force; the status
 * is then that of the first failure.
 */
static int run_batch(const char *name, bool force)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	char *line = NULL, *argv[BATCH_ARGS_MAX];
	unsigned int lineno = 0;
	int argc, ret, status = EXIT_OK;
	size_t size = 0;

	if (!f) {
		fprintf(stderr, "roamctl: cannot open \"%s\": %m\n", name);
		return EXIT_FAIL;
	}
	while (getline(&line, &size, f) >= 0) {
		lineno++;
		argc = batch_split(line, argv);
		if (!argc)
			continue;
		if (argc < 0) {
			fprintf(stderr, "roamctl: %s:%u: unterminated quote or more than %d words\n",
				name, lineno, BATCH_ARGS_MAX);
			ret = EXIT_PARSE;
		} else {
			ret = run_object(argc, argv);
		}
		if (ret) {
			fprintf(stderr, "roamctl: %s:%u: command failed\n", name, lineno);
			if (!status)
				status = ret;
			if (!force)
				break;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "roamctl: cannot read \"%s\": %m\n", name);
		if (!status)
			status = EXIT_FAIL;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return status;
}

int main(int argc, char **argv)
{
	const char *batch = NULL;
	bool force = false;
	int c;

	/*
	 * "+": options stop at the object, as in "ip"; "_only": -json works
	 * as well as --json and -j.
	 */
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:jpn:b:fVh", long_opts,
				     NULL)) != -1) {
		switch (c) {
		case 'j':
			opt_json = true;
			break;
		case 'p':
			opt_pretty = true;
			break;
		case 'n':
			if (!netns_name_ok(optarg)) {
				fprintf(stderr,
					"roamctl: invalid network namespace name \"%s\"\n",
					optarg);
				return EXIT_PARSE;
			}
			opt_netns = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'V':
			printf("roamctl %s (roam generic netlink version %d)\n",
			       ROAMCTL_VERSION, ROAM_GENL_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case ':':
			fprintf(stderr, "roamctl: option \"%s\" needs an argument\n",
				argv[optind - 1]);
			usage(stderr);
			return EXIT_PARSE;
		default:
			if (optopt)
				fprintf(stderr,
					"roamctl: unknown option \"-%c\"\n",
					optopt);
			else
				fprintf(stderr,
					"roamctl: unknown option \"%s\"\n",
					argv[optind - 1]);
			usage(stderr);
			return EXIT_PARSE;
		}
	}
	argc -= optind;
	argv += optind;
	if (batch && argc) {
		fprintf(stderr, "roamctl: -batch takes its commands from the file only\n");
		return EXIT_PARSE;
	}
	if (argc < 1 && !batch) {
		usage(stderr);
		return EXIT_PARSE;
	}

	print_setup();
	return batch ? run_batch(batch, force) : run_object(argc, argv);
}
