// libxcrypt (Debian libcrypt-dev): crypt_r verifies the bcrypt hashes of --web.config.file.
#include <crypt.h>
