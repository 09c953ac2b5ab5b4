print("dipolesync")
