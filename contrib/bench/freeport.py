# freeport.py ADDR: a port free for both UDP and TCP on ADDR.
import random, socket, sys
addr = sys.argv[1]
for _ in range(200):
    port = random.randint(20000, 39999)
    socks = []
    try:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            socks.append(s)
            s.bind((addr, port))
        print(port)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
else:
    sys.exit("no free port")
