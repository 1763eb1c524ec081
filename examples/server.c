// SPDX-License-Identifier: GPL-2.0
/*
 * A roam echo server with libroam: server PORT echoes each connection,
 * one at a time, until EOF, and prints who it was (its address may have
 * changed during the connection, from IPv4 to IPv6 too).
 *   cc -o server server.c $(pkg-config --cflags --libs libroam)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libroam.h>

int main(int argc, char **argv)
{
	struct sockaddr_roam addr, peer;
	char buf[4096], name[ROAM_ADDRSTRLEN];
	socklen_t len;
	int l, c;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: server PORT\n");
		return 2;
	}
	/* "*" is the wildcard: IPv4 and IPv6. */
	if (roam_addr_parse(&addr, "*", atoi(argv[1]))) {
		perror("server: roam");
		return 1;
	}
	l = socket(roam_family(), SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) || listen(l, 16)) {
		perror("server: listen");
		return 1;
	}
	printf("listening on %s\n", roam_addr_format(&addr, name, sizeof(name)));
	fflush(stdout);
	for (;;) {
		c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, n) != n)
				break;
		len = sizeof(peer);
		if (!getpeername(c, (struct sockaddr *)&peer, &len))
			printf("echoed %s\n", roam_addr_format(&peer, name, sizeof(name)));
		fflush(stdout);
		close(c);
	}
}
