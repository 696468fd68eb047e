# Wrong: the straight-line (Manhattan) distance ignores the rock between S and E.
import sys

data = sys.stdin.read().split()
r, c = int(data[0]), int(data[1])
rows = data[2 : 2 + r]
(si, sj), (ei, ej) = [next((i, row.index(ch)) for i, row in enumerate(rows) if ch in row) for ch in 'SE']
print(abs(si - ei) + abs(sj - ej))
