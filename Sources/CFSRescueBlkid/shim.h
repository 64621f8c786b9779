// Swift-facing view of libblkid: partition tables and superblock probing.
#ifndef CFSRESCUE_BLKID_SHIM_H
#define CFSRESCUE_BLKID_SHIM_H
#include <blkid/blkid.h>
#endif
