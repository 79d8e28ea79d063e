/*
 * csv_index.h: pass 1 of the CSV reader's fast path, included by csv.c
 * once per instruction set (portable, and AVX2 chosen at run time), with
 *   CSV_INDEX_FN    the function's name
 *   CSV_INDEX_ATTR  its attributes (the target)
 *   CSV_MASKS       block_masks(p, &comma, &nl, &quote) for p[0..63]
 *   CSV_PREFIX_XOR  the XOR of all the bits at or below each position
 *   CSV_POPCOUNT    the number of bits set
 *
 * The offsets (from d) of the separators outside quotes in d[from..to),
 * from a record start, go to out (which has room for 64 more than there
 * are bytes); returns how many.  Stops at the first block with a quote
 * that opens a region after another byte than a separator or a quote.
 * *plain: no two quotes in a row (escaped quotes, "") and no newline
 * inside quotes in what it indexed.
 */
CSV_INDEX_ATTR static size_t CSV_INDEX_FN(const char *d, size_t from, size_t to, uint32_t *out, bool *plain)
{
	uint32_t *o = out;
	uint64_t inside = 0;  /* all ones when the last block ended inside quotes */
	uint64_t prev = 1;    /* bit 0: the byte before the block is a separator or a quote */
	uint64_t prevq = 0;   /* bit 0: the byte before the block is a quote */
	uint64_t odd = 0;     /* quotes in a row, newlines inside quotes */
	for (size_t pos = from; pos < to; pos += 64) {
		uint64_t comma, nl, q;
		CSV_MASKS(d + pos, &comma, &nl, &q);
		uint64_t sep = comma | nl;
		if (to - pos < 64) {
			uint64_t keep = (1ULL << (to - pos)) - 1;
			sep &= keep;
			nl &= keep;
			q &= keep;
		}
		uint64_t in = CSV_PREFIX_XOR(q) ^ inside;
		uint64_t opening = q & in;
		if (opening & ~(((sep | q) << 1) | prev))
			break;
		odd |= (q & ((q << 1) | prevq)) | (nl & in);
		inside = 0 - (in >> 63);
		prev = (sep | q) >> 63;
		prevq = q >> 63;
		uint64_t bits = sep & ~in;
		unsigned cnt = CSV_POPCOUNT(bits);
		uint32_t base = (uint32_t)pos;
		/* 8 at a time, unconditionally (bit 63 set keeps ctz defined) */
		for (unsigned k = 0; k < cnt; k += 8)
			for (int j = 0; j < 8; j++) {
				o[k + (unsigned)j] = base + (uint32_t)__builtin_ctzll(bits | (1ULL << 63));
				bits &= bits - 1;
			}
		o += cnt;
	}
	*plain = odd == 0;
	return (size_t)(o - out);
}

#undef CSV_INDEX_FN
#undef CSV_INDEX_ATTR
#undef CSV_MASKS
#undef CSV_PREFIX_XOR
#undef CSV_POPCOUNT
