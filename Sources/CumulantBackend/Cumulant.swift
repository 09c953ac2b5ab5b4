// placeholder: replaced by the cumulant backend
