def run(col):
    pass
