#!/bin/bash
# The interop matrix's rows with an integrity algorithm (AES-CBC, AES-CTR and
# NULL with each one, with ESN, and AH with each one): see matrix.sh.
MATRIX_PART=integ exec bash "$(dirname "$0")/matrix.sh"
