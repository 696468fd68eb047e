"""Writes data/sample and data/secret for word-frequency. Run from the package folder: python3 generators/gen.py"""
import os
import random
import string
from collections import Counter

random.seed(2026112911)


def solve(words):
    counts = Counter(words)
    best = max(counts.values())
    return f'{min(w for w, c in counts.items() if c == best)} {best}'


def write(path, words, per_line=12):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.in', 'w') as f:
        f.write(''.join(' '.join(words[i : i + per_line]) + '\n' for i in range(0, len(words), per_line)))
    with open(path + '.ans', 'w') as f:
        f.write(solve(words) + '\n')


def word(lo=1, hi=8):
    return ''.join(random.choice(string.ascii_lowercase) for _ in range(random.randint(lo, hi)))


write('data/sample/1', 'the cat saw the dog and the dog saw the cat'.split())
write('data/sample/2', 'to be or not to be'.split())
# The largest texts come first: counting every word by rescanning the text fails on them.
vocab = [word(3, 8) for _ in range(3000)]
write('data/secret/01-large-vocabulary', [random.choice(vocab) for _ in range(10**4)])
write('data/secret/02-all-distinct', random.sample(sorted({word(5, 9) for _ in range(6000)}), 5000))
words = [random.choice(['lorem', 'ipsum', 'dolor', 'sit', 'amet']) for _ in range(5000)]
write('data/secret/03-five-words', words, per_line=1)
tie = ['zebra'] * 50 + ['apple'] * 50 + [word(3, 6) for _ in range(400)]
random.shuffle(tie)
tie.remove('zebra')
tie.insert(0, 'zebra')  # zebra is seen first, apple wins the tie
write('data/secret/04-tie', tie)
write('data/secret/05-one-word', ['a'])
write('data/secret/06-long-words', [random.choice(['abcdefghijklmnopqrst', 'zzzzzzzzzzzzzzzzzzzz', 'abcdefghijklmnopqrsu']) for _ in range(999)])
write('data/secret/07-one-line', [random.choice(vocab[:50]) for _ in range(2000)], per_line=2000)
