// Swift-facing view of libext2fs, com_err and e2p. Helpers are fsr_-prefixed static inlines
// for what Swift cannot reach directly (mutable C globals, macros with arguments).
#ifndef CFSRESCUE_EXT2FS_SHIM_H
#define CFSRESCUE_EXT2FS_SHIM_H
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include <e2p/e2p.h>

/// `unix_io_manager` is a mutable C global, which Swift 6 refuses to read.
static inline io_manager fsr_unix_io_manager(void) { return unix_io_manager; }

/// Registers libext2fs's com_err table so `error_message` knows its codes. Idempotent.
static inline void fsr_initialize_ext2_error_table(void) {
    static int done = 0;
    if (!done) { initialize_ext2_error_table(); done = 1; }
}

static inline int fsr_flag_rw(void) { return EXT2_FLAG_RW; }
static inline unsigned fsr_inode_size(ext2_filsys fs) { return EXT2_INODE_SIZE(fs->super); }
static inline unsigned fsr_first_inode(ext2_filsys fs) { return EXT2_FIRST_INODE(fs->super); }
static inline unsigned fsr_blocks_per_group(ext2_filsys fs) { return EXT2_BLOCKS_PER_GROUP(fs->super); }
static inline unsigned fsr_inodes_per_group(ext2_filsys fs) { return EXT2_INODES_PER_GROUP(fs->super); }
static inline int fsr_linux_s_isdir(unsigned mode) { return LINUX_S_ISDIR(mode); }
static inline int fsr_linux_s_isreg(unsigned mode) { return LINUX_S_ISREG(mode); }
static inline int fsr_linux_s_islnk(unsigned mode) { return LINUX_S_ISLNK(mode); }
#endif
