// SPDX-License-Identifier: GPL-2.0
/*
 * A roam client with libroam: client HOST PORT sends its standard input
 * to an echo server, then half-closes, and prints what comes back.
 *   cc -o client client.c $(pkg-config --cflags --libs libroam)
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libroam.h>

int main(int argc, char **argv)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	char buf[4096], name[ROAM_ADDRSTRLEN];
	struct sockaddr_roam peer;
	socklen_t len = sizeof(peer);
	int fd = -1, rc;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: client HOST PORT\n");
		return 2;
	}
	rc = roam_getaddrinfo(argv[1], argv[2], &hints, &res);
	if (rc) {
		fprintf(stderr, "client: %s: %s\n", argv[1], gai_strerror(rc));
		return 1;
	}
	for (ai = res; ai; ai = ai->ai_next) {	/* each address in turn */
		fd = socket(ai->ai_family, ai->ai_socktype, 0);
		if (fd >= 0 && !connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	roam_freeaddrinfo(res);
	if (fd < 0) {
		perror("client: connect");
		return 1;
	}
	getpeername(fd, (struct sockaddr *)&peer, &len);
	fprintf(stderr, "client: connected to %s\n", roam_addr_format(&peer, name, sizeof(name)));

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return 1;
	shutdown(fd, SHUT_WR);			/* the server sees EOF */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, n) != n)
			return 1;
	close(fd);
	return n < 0;
}
