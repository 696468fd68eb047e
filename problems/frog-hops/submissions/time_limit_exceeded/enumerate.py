# Too slow: enumerates the hop sequences one by one (with an explicit stack, so it never runs out
# of recursion depth); there are exponentially many of them.
n, k = map(int, input().split())
steps = list(map(int, input().split()))
count = 0
stack = [0]
while stack:
    i = stack.pop()
    if i == n:
        count += 1
        continue
    for s in steps:
        if i + s <= n:
            stack.append(i + s)
print(count % (10**9 + 7))
