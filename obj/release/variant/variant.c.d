obj/release/variant/variant.c.o: variant/variant.c variant/variant.h \
 variant/../exec/types.h variant/variants.def
variant/variant.h:
variant/../exec/types.h:
variant/variants.def:
