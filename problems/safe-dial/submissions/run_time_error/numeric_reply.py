# Crashes: expects the judge to answer with a number (-1, 0, 1) and calls int() on "higher"
# (ValueError).
n = int(input())
lo, hi = 1, n
while lo <= hi:
    mid = (lo + hi) // 2
    print('?', mid, flush=True)
    reply = int(input())
    if reply == 0:
        break
    if reply > 0:
        lo = mid + 1
    else:
        hi = mid - 1
