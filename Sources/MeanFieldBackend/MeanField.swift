// placeholder: replaced by the mean-field backend
