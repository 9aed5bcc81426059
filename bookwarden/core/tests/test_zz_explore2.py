import time
from bookwarden.core.demo import build_demo
def test_x(db, settings):
    t=time.time(); build_demo(); print("build", time.time()-t)
