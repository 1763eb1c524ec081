// SPDX-License-Identifier: GPL-2.0
/*
 * roamreplay: sends again, from this host, the UDP payloads of the IPv4
 * packets a tcpdump capture (pcap, Ethernet) holds: captured roam
 * packets replayed from a new address, for the roaming test.
 *
 *   roamreplay -r FILE -t TARGET -p PORT [-n ROUNDS] [-s SPORT]
 *
 * With -s, they go from UDP port SPORT, as the original sender's did:
 * a handshake packet replayed from its own address and port.  Prints how
 * many payloads it sent.
 */
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "roam_util.h"

#define SNAP 65536

int main(int argc, char **argv)
{
	const char *file = NULL, *target = NULL;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	static unsigned char buf[SNAP];
	unsigned int rec[4], hdr[6];
	int port = 0, rounds = 1, sport = 0, fd, c, r;
	struct sockaddr_in src = { .sin_family = AF_INET };
	long sent = 0;
	FILE *f;

	while ((c = getopt(argc, argv, "r:t:p:n:s:")) != -1) {
		switch (c) {
		case 'r':
			file = optarg;
			break;
		case 't':
			target = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		case 's':
			sport = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!file || !target || !port || inet_pton(AF_INET, target, &dst.sin_addr) != 1)
		return 2;
	dst.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	src.sin_port = htons(sport);
	if (sport && bind(fd, (struct sockaddr *)&src, sizeof(src))) {
		perror("bind");
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		f = fopen(file, "r");
		if (!f || fread(hdr, sizeof(hdr), 1, f) != 1 || hdr[0] != 0xa1b2c3d4 ||
		    hdr[5] != 1 /* Ethernet */) {
			fprintf(stderr, "%s: not a pcap of Ethernet frames\n", file);
			return 1;
		}
		while (fread(rec, sizeof(rec), 1, f) == 1) {
			const struct iphdr *ip = (const struct iphdr *)(buf + 14);
			const struct udphdr *uh;
			unsigned int len = rec[2], off;

			if (len > SNAP || fread(buf, len, 1, f) != 1)
				break;
			if (len < 14 + sizeof(*ip) + sizeof(*uh) || buf[12] != 0x08 ||
			    buf[13] != 0x00 || ip->protocol != IPPROTO_UDP)
				continue;
			off = 14 + ip->ihl * 4;
			uh = (const struct udphdr *)(buf + off);
			off += sizeof(*uh);
			if (off > len || ntohs(uh->len) < sizeof(*uh) ||
			    off + ntohs(uh->len) - sizeof(*uh) > len)
				continue;
			if (sendto(fd, buf + off, ntohs(uh->len) - sizeof(*uh), 0,
				   (struct sockaddr *)&dst, sizeof(dst)) < 0) {
				perror("sendto");
				return 1;
			}
			sent++;
		}
		fclose(f);
	}
	printf("replayed %ld\n", sent);
	return 0;
}
