// placeholder: replaced by the exact backend
