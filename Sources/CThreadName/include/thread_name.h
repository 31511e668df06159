#ifndef KX_THREAD_NAME_H
#define KX_THREAD_NAME_H

// pthread_setname_np is a GNU extension that Swift's Glibc module leaves out.
// Names the calling thread; Linux keeps the first 15 bytes. Returns 0 or an errno value.
int kx_set_thread_name(const char *name);

#endif
