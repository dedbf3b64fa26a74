#!/usr/bin/env python3
"""Python side of `shopbot bench retrieval`: Debian's python3-hnswlib and python3-faiss on the
same vectors the Node side indexed (raw little-endian float32 files written by bench/retrieval.ts).

Prints one JSON object: {system: {build_s, memory_mb, p50_ms, p99_ms, recall@10}}. Queries run
one at a time on one thread, like a server answering one turn, so latencies compare with Node's.
"""
import argparse
import json
import sys
import time

import numpy as np


def rss_mb():
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    import os
    return pages * os.sysconf('SC_PAGE_SIZE') / 2**20


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def recall(found, truth, k):
    hits = sum(len(set(f[:k]) & set(t[:k])) for f, t in zip(found, truth))
    return hits / (k * len(truth))


def timed_queries(search, queries):
    lat, out = [], []
    cpu0 = time.process_time()
    for q in queries:
        t = time.perf_counter()
        ids = search(q)
        lat.append((time.perf_counter() - t) * 1000)
        out.append([int(i) for i in ids])
    cpu_ms = (time.process_time() - cpu0) * 1000 / len(queries)
    return lat, cpu_ms, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--base', required=True)
    ap.add_argument('--queries', required=True)
    ap.add_argument('--truth', required=True, help='int32 ids of the exact top-k, one row per query')
    ap.add_argument('--dim', type=int, required=True)
    ap.add_argument('--k', type=int, default=10)
    ap.add_argument('--m', type=int, default=16)
    ap.add_argument('--ef-construction', type=int, default=200)
    ap.add_argument('--ef', default='96', help='comma-separated query-time ef values, measured on one graph')
    ap.add_argument('--systems', default='hnswlib,faiss-hnsw,faiss-flat')
    a = ap.parse_args()

    base = np.fromfile(a.base, dtype='<f4').reshape(-1, a.dim)
    queries = np.fromfile(a.queries, dtype='<f4').reshape(-1, a.dim)
    truth = np.fromfile(a.truth, dtype='<i4').reshape(len(queries), -1)[:, : a.k].tolist()
    labels = np.arange(len(base))
    out = {}
    systems = a.systems.split(',')
    efs = [int(x) for x in a.ef.split(',')]

    if 'hnswlib' in systems:
        import hnswlib
        before = rss_mb()
        t = time.perf_counter()
        c = time.process_time()
        idx = hnswlib.Index(space='ip', dim=a.dim)
        idx.init_index(max_elements=len(base), M=a.m, ef_construction=a.ef_construction, random_seed=100)
        idx.set_num_threads(1)
        idx.add_items(base, labels, num_threads=1)
        build = time.perf_counter() - t
        build_cpu = time.process_time() - c
        mem = rss_mb() - before
        for ef in efs:
            idx.set_ef(max(ef, a.k))
            lat, cpu_ms, found = timed_queries(lambda q: idx.knn_query(q, k=a.k, num_threads=1)[0][0], queries)
            out[f'python-hnswlib-ef{ef}'] = {'build_s': build, 'build_cpu_s': build_cpu, 'memory_mb': mem, 'p50_ms': percentile(lat, 50), 'p99_ms': percentile(lat, 99), 'cpu_ms': cpu_ms, 'recall@10': recall(found, truth, a.k)}
        del idx

    if 'faiss-hnsw' in systems or 'faiss-flat' in systems:
        import faiss
        faiss.omp_set_num_threads(1)
        if 'faiss-hnsw' in systems:
            before = rss_mb()
            t = time.perf_counter()
            c = time.process_time()
            idx = faiss.IndexHNSWFlat(a.dim, a.m, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = a.ef_construction
            idx.add(base)
            build = time.perf_counter() - t
            build_cpu = time.process_time() - c
            mem = rss_mb() - before
            idx.hnsw.efSearch = max(efs[0], a.k)
            lat, cpu_ms, found = timed_queries(lambda q: idx.search(q.reshape(1, -1), a.k)[1][0], queries)
            out[f'python-faiss-hnsw-ef{efs[0]}'] = {'build_s': build, 'build_cpu_s': build_cpu, 'memory_mb': mem, 'p50_ms': percentile(lat, 50), 'p99_ms': percentile(lat, 99), 'cpu_ms': cpu_ms, 'recall@10': recall(found, truth, a.k)}
            del idx
        if 'faiss-flat' in systems:
            before = rss_mb()
            t = time.perf_counter()
            c = time.process_time()
            idx = faiss.IndexFlatIP(a.dim)
            idx.add(base)
            build = time.perf_counter() - t
            build_cpu = time.process_time() - c
            mem = rss_mb() - before
            lat, cpu_ms, found = timed_queries(lambda q: idx.search(q.reshape(1, -1), a.k)[1][0], queries)
            out['python-faiss-exact'] = {'build_s': build, 'build_cpu_s': build_cpu, 'memory_mb': mem, 'p50_ms': percentile(lat, 50), 'p99_ms': percentile(lat, 99), 'cpu_ms': cpu_ms, 'recall@10': recall(found, truth, a.k)}
            del idx

    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
