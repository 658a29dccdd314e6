/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run-time policy variants.  See variants.def for the registry.
 * Configuration is passed down (mm->cfg, kvm->cfg), never global.
 */
#ifndef ADSIM_VARIANT_H
#define ADSIM_VARIANT_H

#include "../exec/types.h"

#define VAL(var, val, desc) var##__##val,
#define VARIANT(name, dflt, src, vals) enum name##_variant { vals name##__NR };
#include "variants.def"
#undef VARIANT
#undef VAL

enum variant_id {
#define VARIANT(name, dflt, src, vals) VARIANT_##name,
#include "variants.def"
#undef VARIANT
	NR_VARIANTS
};

struct variant_cfg {
	u8 v[NR_VARIANTS];
};

#define variant(cfg, name) ((enum name##_variant)(cfg)->v[VARIANT_##name])

struct variant_desc {
	const char *name;
	const char *source;
	int dflt;
	int nr_values;
	const char *const *values;
	const char *const *descs;
	bool mutation;		/* a deliberate mis-model (MUTATION) */
	bool ordered;		/* values from weakest to strongest (ORDERED) */
};

extern const struct variant_desc variant_table[NR_VARIANTS];

void variant_defaults(struct variant_cfg *cfg);
int variant_lookup(const char *name);
int variant_value_lookup(int id, const char *value);
/* "name=value" to a variant id and value; 0, or -1 with what was expected in err. */
int variant_parse(const char *name_value, int *id, int *value, char *err, size_t n);
/* Applies "name=value"; 0, or -1 with what was expected in err. */
int variant_set(struct variant_cfg *cfg, const char *name_value, char *err, size_t n);
/* "name=value" pairs of the whole set, space separated, into buf. */
void variant_format(const struct variant_cfg *cfg, char *buf, size_t n);
/* Why cfg is a combination variants.def declares meaningless, or NULL. */
const char *variant_meaningless(const struct variant_cfg *cfg);
void variant_print_help(void *file);
void variant_print_markdown(void *file);

#endif
