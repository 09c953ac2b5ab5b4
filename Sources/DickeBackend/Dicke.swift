// placeholder: replaced by the permutation-symmetric backend
