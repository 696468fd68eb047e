# Wrong: tries 1, 2, 3, ... and runs out of questions for any secret number above 30.
n = int(input())
for y in range(1, n + 1):
    print('?', y, flush=True)
    if input().strip() == 'correct':
        break
