#!/usr/bin/env python3
"""Where the generating thread's time goes in a profile of `calm bench lm` (scripts/profile-bench-lm.sh).

  scripts/profile-breakdown.py PROFILE.collapsed BENCH.json [INTERVAL_MS]

PROFILE.collapsed: async-profiler's collapsed stacks (one line per stack, frames root first, then the
sample count); BENCH.json: the same run's `bench lm --json` output (steps and rounds, to turn samples
into milliseconds per step). Only samples under LmBench.measure are read (the generation rounds,
including the one unmeasured warm-up round of each model), split by the generator's frame:
CalmGenerator.runSamples or ArGenerator.runSamples. Each sample is put in one model part (the
deepest known frame of the model code on its stack) and one native class (its leaf frame: MKL's
GEMM kernels, MKL's GEMM packing copies, PyTorch's elementwise and reduction kernels, malloc/free,
the rest of libtorch (dispatcher, TensorImpl bookkeeping, libdjl_torch's JNI glue), and the JVM
(Java code, JNI transitions)).
"""
import collections
import json
import sys

def part(fr, side):
    s = ';'.join(fr)
    if side == 'calm':
        if 'CalmModel.step' in s:
            if 'Attention.forward' in s: return 'backbone: attention (q/k/v/o, rope, cache, scores)'
            if 'SwiGlu.forward' in s: return 'backbone: MLP (SwiGLU)'
            if 'FoldedEmbedProj' in s or 'EmbedProj' in s or 'CalmModel.inputs' in s: return 'backbone: input (folded embed_proj)'
            return 'backbone: norms, residuals, rest'
        if 'EnergyHead' in s: return 'energy head (N candidates)'
        if 'Decoder.hidden' in s: return 'decoder layers (N x K positions)'
        if 'Decoder.forward' in s: return 'decoder output projection H x V (N x K rows)'
        if 'argMax' in s: return 'decoder argmax'
        if 'ChunkPass$Forward.run' in s: return 'pass glue (arrays in/out, close)'
        if 'ChunkSampler' in s or 'TemperatureSampler' in s or 'CalmGenerator.choose' in s: return 'sampler (noise, selection, chunks)'
        return 'generator glue (step arrays, close, text)'
    else:
        if 'ArModel.step' in s:
            if 'Attention.forward' in s: return 'backbone: attention (q/k/v/o, rope, cache, scores)'
            if 'SwiGlu.forward' in s: return 'backbone: MLP (SwiGLU)'
            if 'Backbone.step' in s: return 'backbone: norms, residuals, rest'
            if 'Linear' in s: return 'output head H x V'
            return 'embedding lookup, rest'
        if 'LogitSampler' in s: return 'sampling the softmax (host)'
        return 'generator glue (arrays, close, text)'

def native(leaf):
    l = leaf
    if 'scopy' in l: return 'GEMM packing (MKL copy)'
    if 'sgemm' in l or 'sgemv' in l or 'gemm' in l.lower() and 'mkl' in l: return 'GEMM/GEMV compute (MKL)'
    if 'Sleef' in l or ('at::native' in l and ('Loop' in l or 'kernel' in l or 'cascade_sum' in l or 'Moments' in l or 'reduce' in l)) or 'direct_copy' in l:
        return 'elementwise/reduction kernels'
    if any(x in l for x in ('malloc', 'free', '_int_', 'unlink_chunk', 'memalign', 'mmap', 'munmap', 'alloc_cpu', 'clear_page', 'memset', 'brk')):
        return 'allocation (malloc/free)'
    if l.startswith(('java/', 'jdk/', 'ai/djl', 'org/', 'sun/', 'com/')) or 'stub' in l or 'Interpreter' in l or 'Runtime' in l or l.startswith(('os::', 'JVM_', 'I2C', 'SharedRuntime', 'ObjectSynchronizer', 'OptoRuntime', 'G1', 'MemAllocator', 'TypeArrayKlass', 'InstanceKlass', 'ThreadStateTransition', 'JavaThread', 'jni_', 'Unsafe_')):
        return 'JVM (Java code, JNI transitions)'
    return 'libtorch dispatch & tensor bookkeeping'



def breakdown(path, side, steps, interval_ms):
    gen = 'CalmGenerator.runSamples' if side == 'calm' else 'ArGenerator.runSamples'
    parts = collections.Counter(); nat = collections.Counter(); cross = collections.Counter(); tot = 0
    for line in open(path):
        s, n = line.rsplit(' ', 1); fr = s.split(';'); n = int(n)
        if not any('LmBench.measure' in x for x in fr) or not any(gen in x for x in fr):
            continue
        i = [j for j, x in enumerate(fr) if gen in x][-1]
        p = part(fr[i + 1:], side); c = native(fr[-1])
        parts[p] += n; nat[c] += n; cross[(p, c)] += n; tot += n
    if tot == 0:
        print(f'{side}: no samples under {gen}'); return
    ms = lambda v: v * interval_ms / steps
    print(f'\n### {side.upper()}: {tot} samples under {gen}, {steps} steps: {ms(tot):.2f} ms of CPU per step (profiled)')
    print('\n| model part | % | ms / step |\n|---|---|---|')
    for k, v in parts.most_common():
        print(f'| {k} | {100*v/tot:.1f}% | {ms(v):.2f} |')
    print('\n| native class (leaf frame) | % | ms / step |\n|---|---|---|')
    for k, v in nat.most_common():
        print(f'| {k} | {100*v/tot:.1f}% | {ms(v):.2f} |')
    cls = [k for k, _ in nat.most_common()]
    print('\n| part \\ class (% of all) | ' + ' | '.join(cls) + ' |')
    print('|---|' + '---|' * len(cls))
    for p, _ in parts.most_common():
        print(f'| {p} | ' + ' | '.join(f'{100*cross[(p, c)]/tot:.1f}' for c in cls) + ' |')


if __name__ == '__main__':
    profile, bench = sys.argv[1], json.load(open(sys.argv[2]))
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    rounds = len(bench['calm']['round_tokens_per_second'])
    k = bench['patch_size']
    calm_steps = rounds * bench['calm']['generate_steps'] + (8 + k - 1) // k  # the warm-up round: 8 tokens
    ar_steps = rounds * bench['ar']['generate_steps'] + 8
    breakdown(profile, 'calm', calm_steps, interval)
    breakdown(profile, 'ar', ar_steps, interval)
