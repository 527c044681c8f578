/* Host stand-in for <linux/types.h>: the driver's kernel-free files
 * (driver/netcam-jpeg.c) use only these kernel type names. */
#ifndef NETCAM_UNIT_SHIM_LINUX_TYPES_H
#define NETCAM_UNIT_SHIM_LINUX_TYPES_H
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#endif
