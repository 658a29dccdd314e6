/* SPDX-License-Identifier: GPL-2.0 */
/* `adsim vs-kernel`: the model and the running kernel, side by side. */
#ifndef ADSIM_VSKERNEL_VSKERNEL_H
#define ADSIM_VSKERNEL_VSKERNEL_H

int vskernel_main(int argc, char **argv);

#endif
