/* version.h: owlet's version. */
#ifndef OWLET_VERSION_H
#define OWLET_VERSION_H
#define OWLET_VERSION "0.1.0"
#endif
