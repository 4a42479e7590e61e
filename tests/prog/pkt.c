// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Packet builder and checksums for the program tests: see pkt.h. */
#include <string.h>

#include "pkt.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

void pkt_spec_defaults(struct pkt_spec *s)
{
	static const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t mac_s[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t v4_c[4] = {198, 18, 0, 1};
	static const uint8_t v4_s[4] = {198, 18, 0, 2};
	static const uint8_t v6_c[16] = {0xfd, [15] = 1};
	static const uint8_t v6_s[16] = {0xfd, [15] = 2};

	if (all_zero(s->eth_src, 6))
		memcpy(s->eth_src, mac_c, 6);
	if (all_zero(s->eth_dst, 6))
		memcpy(s->eth_dst, mac_s, 6);
	if (!s->ip_version)
		s->ip_version = 4;
	if (!s->l4_proto)
		s->l4_proto = 17;
	if (all_zero(s->saddr4, 4))
		memcpy(s->saddr4, v4_c, 4);
	if (all_zero(s->daddr4, 4))
		memcpy(s->daddr4, v4_s, 4);
	if (all_zero(s->saddr6, 16))
		memcpy(s->saddr6, v6_c, 16);
	if (all_zero(s->daddr6, 16))
		memcpy(s->daddr6, v6_s, 16);
	if (!s->ttl)
		s->ttl = 61;
	if (!s->sport)
		s->sport = 40053;
	if (!s->dport)
		s->dport = 53;
}

void pkt_spec_reply(struct pkt_spec *r, const struct pkt_spec *s)
{
	struct pkt_spec q = *s;

	pkt_spec_defaults(&q);
	*r = q;
	memcpy(r->eth_src, q.eth_dst, 6);
	memcpy(r->eth_dst, q.eth_src, 6);
	memcpy(r->saddr4, q.daddr4, 4);
	memcpy(r->daddr4, q.saddr4, 4);
	memcpy(r->saddr6, q.daddr6, 16);
	memcpy(r->daddr6, q.saddr6, 16);
	r->sport = q.dport;
	r->dport = q.sport;
	r->ttl = 64;
	r->pad_to = 0;
}

uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum_ip4(const uint8_t *ip)
{
	size_t hlen = (ip[0] & 0x0f) * 4;
	uint32_t sum;

	sum = csum_add(0, ip, 10);		 /* up to the checksum field */
	sum = csum_add(sum, ip + 12, hlen - 12); /* after it */
	return csum_fold(sum);
}

uint16_t csum_l4(int version, const uint8_t *saddr, const uint8_t *daddr, uint8_t proto,
		 const uint8_t *l4, size_t len, size_t csum_off)
{
	size_t alen = version == 6 ? 16 : 4;
	uint8_t pseudo[8];
	uint32_t sum;
	uint16_t c;

	sum = csum_add(0, saddr, alen);
	sum = csum_add(sum, daddr, alen);
	/* IPv4: zero, protocol, length (16 bits); IPv6: length (32 bits),
	 * three zero bytes, next header. Both sum to the same words. */
	put32(pseudo, (uint32_t)len);
	put32(pseudo + 4, proto);
	sum = csum_add(sum, pseudo, 8);
	sum = csum_add(sum, l4, csum_off);
	sum = csum_add(sum, l4 + csum_off + 2, len - csum_off - 2);
	c = csum_fold(sum);
	if (proto == 17 && c == 0)
		c = 0xffff; /* RFC 768: 0 means "no checksum" */
	return c;
}

/* L4 segment: UDP header, or a TCP header without options, then payload. */
static size_t put_l4(uint8_t *p, const struct pkt_spec *s, const uint8_t *payload, size_t len)
{
	size_t hlen = s->l4_proto == 6 ? 20 : 8;

	memset(p, 0, hlen);
	put16(p, s->sport);
	put16(p + 2, s->dport);
	if (s->l4_proto == 6) {
		put32(p + 4, 1);      /* sequence number */
		p[12] = 5 << 4;	      /* data offset: 5 words */
		p[13] = 0x18;	      /* PSH, ACK */
		put16(p + 14, 65535); /* window */
	} else {
		put16(p + 4, (uint16_t)(hlen + len));
	}
	if (len)
		memcpy(p + hlen, payload, len);
	return hlen + len;
}

static void put_ip6_ext(uint8_t *p, uint8_t next, uint8_t len)
{
	memset(p, 0, len);
	p[0] = next;
	p[1] = len / 8 - 1; /* fragment header: reserved byte, 0 */
}

size_t pkt_frame(uint8_t *buf, size_t cap, const struct pkt_spec *spec, const uint8_t *payload,
		 size_t len, struct pkt_layout *lay)
{
	struct pkt_spec s = *spec;
	size_t off, l3, l4, ext_len = 0, l4_len, l4_hlen, i;
	uint8_t *ip, *seg;
	uint16_t c;

	pkt_spec_defaults(&s);
	l4_hlen = s.l4_proto == 6 ? 20 : 8;
	for (i = 0; i < s.n_ext; i++)
		ext_len += s.ext_len[i];
	if (14 + 4 * s.n_vlan + 40 + s.ip4_opts_len + ext_len + l4_hlen + len > cap ||
	    s.pad_to > cap || s.n_vlan > PKT_VLAN_MAX || s.n_ext > PKT_EXT_MAX)
		return 0;

	memset(buf, 0, cap);
	memcpy(buf, s.eth_dst, 6);
	memcpy(buf + 6, s.eth_src, 6);
	off = 12;
	for (i = 0; i < s.n_vlan; i++) {
		put16(buf + off, s.vlan_tpid[i] ? s.vlan_tpid[i] : ETH_P_8021Q_);
		put16(buf + off + 2, s.vlan_tci[i]);
		off += 4;
	}
	if (s.ethertype) {
		put16(buf + off, s.ethertype);
		off += 2;
		memcpy(buf + off, payload, len);
		l3 = l4 = off;
		off += len;
		goto out;
	}
	put16(buf + off, s.ip_version == 6 ? 0x86dd : 0x0800);
	off += 2;
	l3 = off;
	ip = buf + l3;

	if (s.ip_version == 6) {
		uint8_t next = s.n_ext ? s.ext_type[0] : s.l4_proto;

		put32(ip, 6u << 28 | (uint32_t)s.tos << 20 | (s.flowlabel & 0xfffff));
		ip[6] = next;
		ip[7] = s.ttl;
		memcpy(ip + 8, s.saddr6, 16);
		memcpy(ip + 24, s.daddr6, 16);
		off += 40;
		for (i = 0; i < s.n_ext; i++) {
			next = i + 1 < s.n_ext ? s.ext_type[i + 1] : s.l4_proto;
			put_ip6_ext(buf + off, next, s.ext_len[i]);
			off += s.ext_len[i];
		}
		l4 = off;
		seg = buf + l4;
		l4_len = put_l4(seg, &s, payload, len);
		put16(ip + 4, (uint16_t)(ext_len + l4_len));
		c = csum_l4(6, s.saddr6, s.daddr6, s.l4_proto, seg, l4_len,
			    s.l4_proto == 6 ? 16 : 6);
	} else {
		size_t hlen = 20 + s.ip4_opts_len;

		ip[0] = 0x40 | (uint8_t)(hlen / 4);
		ip[1] = s.tos;
		put16(ip + 4, s.ip_id);
		put16(ip + 6, s.frag);
		ip[8] = s.ttl;
		ip[9] = s.l4_proto;
		memcpy(ip + 12, s.saddr4, 4);
		memcpy(ip + 16, s.daddr4, 4);
		if (s.ip4_opts_len)
			memcpy(ip + 20, s.ip4_opts, s.ip4_opts_len);
		off += hlen;
		l4 = off;
		seg = buf + l4;
		l4_len = put_l4(seg, &s, payload, len);
		put16(ip + 2, (uint16_t)(hlen + l4_len));
		put16(ip + 10, csum_ip4(ip));
		c = csum_l4(4, s.saddr4, s.daddr4, s.l4_proto, seg, l4_len,
			    s.l4_proto == 6 ? 16 : 6);
	}
	put16(seg + (s.l4_proto == 6 ? 16 : 6), c);
	off += l4_len;
out:
	if (lay) {
		lay->l3 = l3;
		lay->l4 = l4;
		lay->payload = s.ethertype ? l4 : l4 + l4_hlen;
		lay->payload_len = len;
	}
	if (off < s.pad_to)
		off = s.pad_to; /* the buffer is already zeroed */
	if (lay)
		lay->len = off;
	return off;
}

size_t dname_wire(uint8_t *out, size_t cap, const char *s)
{
	size_t n = 0;

	if (!strcmp(s, ".")) /* the root */
		s++;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		if (l == 0 || l > 63 || n + 1 + l + 1 > cap)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, s, l);
		n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	if (n + 1 > cap || n + 1 > 255)
		return 0;
	out[n++] = 0;
	return n;
}

size_t dnsq_build(uint8_t *buf, size_t cap, const struct dnsq *q, size_t *qlen)
{
	uint8_t name[512];
	size_t nlen, off;

	if (q->qname_wire) {
		nlen = q->qname_wire_len;
		if (nlen > sizeof(name))
			return 0;
		memcpy(name, q->qname_wire, nlen);
	} else {
		nlen = dname_wire(name, sizeof(name), q->qname);
		if (!nlen)
			return 0;
	}
	if (DNS_HDR_LEN + nlen + 4 + q->extra_len + DNS_OPT_LEN + q->edns_opts_len > cap)
		return 0;

	put16(buf, q->id);
	put16(buf + 2, q->flags);
	if (q->counts_set) {
		put16(buf + 4, q->qdcount);
		put16(buf + 6, q->ancount);
		put16(buf + 8, q->nscount);
		put16(buf + 10, q->arcount);
	} else {
		put16(buf + 4, 1);
		put16(buf + 6, 0);
		put16(buf + 8, 0);
		put16(buf + 10, q->edns ? 1 : 0);
	}
	off = DNS_HDR_LEN;
	memcpy(buf + off, name, nlen);
	off += nlen;
	put16(buf + off, q->qtype);
	put16(buf + off + 2, q->qclass ? q->qclass : 1);
	off += 4;
	if (qlen)
		*qlen = nlen + 4;
	if (q->extra_len) {
		memcpy(buf + off, q->extra, q->extra_len);
		off += q->extra_len;
	}
	if (q->edns) {
		buf[off] = 0;		  /* root owner */
		put16(buf + off + 1, 41); /* OPT */
		put16(buf + off + 3, q->edns_size);
		buf[off + 5] = 0; /* extended RCODE */
		buf[off + 6] = q->edns_version;
		put16(buf + off + 7, q->edns_do ? 0x8000 : 0);
		put16(buf + off + 9,
		      q->edns_rdlen_set ? q->edns_rdlen : (uint16_t)q->edns_opts_len);
		off += DNS_OPT_LEN;
		if (q->edns_opts_len) {
			memcpy(buf + off, q->edns_opts, q->edns_opts_len);
			off += q->edns_opts_len;
		}
	}
	if (q->cut && q->cut < off)
		off = q->cut;
	return off;
}
