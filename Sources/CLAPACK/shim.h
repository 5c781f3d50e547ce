#ifndef KKTNET_CLAPACK_SHIM_H
#define KKTNET_CLAPACK_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
