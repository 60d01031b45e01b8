#!/usr/bin/env python3
# flash_mma_emulation.py - a review aid for kernels/cuda/attention.cu, not a test of the CUDA
# code itself: the tensor-core kernel flash_mma<D> re-enacted lane by lane in numpy (fp64 values
# instead of bf16), with the fragment semantics of ldmatrix (.x4, .trans) and
# mma.sync.m16n8k16 as the PTX ISA documents them, over shuffled pages with NaN in unwritten
# slots, grouped-query heads, causal masks and key splits merged as combine_kernel does. It
# checks the kernel's index arithmetic (tile and fragment offsets, masks, online softmax,
# split bookkeeping) on a machine without a GPU: each line must show an error near 1e-16.
#   /usr/bin/python3 tests/cuda/flash_mma_emulation.py [seed]
# Keep it in step with flash_mma when the kernel changes.
import numpy as np, math, sys
rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
BQ, BK, NW = 64, 64, 4

def ldsm_x4(mat, addr_of_lane, trans):
    # mat: 2D smem array; addr_of_lane(l) -> (row, col) start of the 8-element row given by lane l
    # matrix j uses the addresses of lanes 8j..8j+7 (row r of matrix j = lane 8j+r)
    out = [[None]*4 for _ in range(32)]
    rows = [[mat[addr_of_lane(8*j+r)[0], addr_of_lane(8*j+r)[1]:addr_of_lane(8*j+r)[1]+8] for r in range(8)] for j in range(4)]
    for i in range(32):
        for j in range(4):
            M = np.array(rows[j])  # 8x8: M[r][c]
            if not trans:
                out[i][j] = (M[i//4, 2*(i%4)], M[i//4, 2*(i%4)+1])
            else:
                out[i][j] = (M[2*(i%4), i//4], M[2*(i%4)+1, i//4])
    return out

def mma(c, a, b0, b1):
    # c[lane][4], a[lane][4 pairs], b0/b1[lane] pairs; reconstruct A (16x16), B (16x8)
    A = np.zeros((16,16)); B = np.zeros((16,8))
    for i in range(32):
        g, t = i//4, i%4
        A[g, 2*t], A[g, 2*t+1] = a[i][0]
        A[g+8, 2*t], A[g+8, 2*t+1] = a[i][1]
        A[g, 2*t+8], A[g, 2*t+9] = a[i][2]
        A[g+8, 2*t+8], A[g+8, 2*t+9] = a[i][3]
        B[2*t, g], B[2*t+1, g] = b0[i]
        B[2*t+8, g], B[2*t+9, g] = b1[i]
    C = A @ B
    for i in range(32):
        g, t = i//4, i%4
        c[i][0] += C[g, 2*t]; c[i][1] += C[g, 2*t+1]; c[i][2] += C[g+8, 2*t]; c[i][3] += C[g+8, 2*t+1]

def run(D, Hq, Hkv, PT, pos0, T, n_splits):
    G = Hq // Hkv
    total = pos0 + T
    n_pages = (total + PT - 1) // PT
    # pages: keys (Hkv, D, PT), values (Hkv, PT, D); NaN past the last position
    kp = rng.standard_normal((n_pages, Hkv, D, PT)); vp = rng.standard_normal((n_pages, Hkv, PT, D))
    for j in range(total, n_pages*PT):
        kp[j//PT, :, :, j%PT] = np.nan; vp[j//PT, :, j%PT, :] = np.nan
    perm = rng.permutation(n_pages)  # device page of sequence page p = perm[p]
    pool_k = np.zeros_like(kp); pool_v = np.zeros_like(vp)
    for p in range(n_pages):
        pool_k[perm[p]] = kp[p]; pool_v[perm[p]] = vp[p]
    q = rng.standard_normal((T, Hq, D))
    scale = 1/math.sqrt(D); sl2 = scale*1.4426950408889634
    # reference
    ref = np.zeros((T, Hq, D))
    for t in range(T):
        for hq in range(Hq):
            h = hq // G; n = pos0 + t + 1
            K = np.array([kp[j//PT, h, :, j%PT] for j in range(n)]); V = np.array([vp[j//PT, h, j%PT, :] for j in range(n)])
            s = K @ q[t, hq] * scale; p = np.exp(s - s.max()); ref[t, hq] = p @ V / p.sum()
    out = np.full((T, Hq, D), np.nan)
    R = T*G
    o_part = np.zeros((n_splits, T*Hq, D)); m_part = np.zeros((n_splits, T*Hq)); l_part = np.zeros((n_splits, T*Hq))
    n_tiles = (R + BQ - 1)//BQ
    for bx in range(n_tiles):
      for h in range(Hkv):
        for split in range(n_splits):
          tile = n_tiles - 1 - bx
          r0 = tile*BQ; p0 = pos0
          last_row = min(r0+BQ, R) - 1
          total_keys = p0 + T
          chunk = ((total_keys + n_splits - 1)//n_splits + BK - 1)//BK*BK
          kb = split*chunk; ke = min(kb+chunk, p0 + last_row//G + 1)
          Qs = np.zeros((BQ, D+8)); Ks = np.zeros((D, BK+8)); Vs = np.zeros((BK, D+8))
          # per lane state for each warp
          st = {}
          for w in range(NW):
            for lane in range(32):
              gq, tq = lane>>2, lane&3
              ra = r0 + w*16 + gq; rb = ra + 8
              st[w,lane] = dict(ra=ra, rb=rb, lim_a=min(p0 + min(ra, R-1)//G + 1, ke), lim_b=min(p0 + min(rb, R-1)//G + 1, ke),
                                o=[[0.0]*4 for _ in range(D//8)], m_a=-math.inf, m_b=-math.inf, l_a=0.0, l_b=0.0)
          if kb < ke:
            for r in range(BQ):
              row = r0 + r
              if row < R:
                t, g = row//G, row%G
                Qs[r, :D] = q[t, h*G+g]
            def load_k(j0):
              for d in range(D):
                for c in range(BK//8):
                  key = j0 + c*8
                  if key < ke:
                    pg = perm[key//PT]; slot = key%PT
                    Ks[d, c*8:c*8+8] = pool_k[pg, h, d, slot:slot+8]
                  else:
                    Ks[d, c*8:c*8+8] = 0
            def load_v(j0):
              for jj in range(BK):
                for c in range(D//8):
                  key = j0 + jj
                  if key < ke:
                    pg = perm[key//PT]; slot = key%PT
                    Vs[jj, c*8:c*8+8] = pool_v[pg, h, slot, c*8:c*8+8]
                  else:
                    Vs[jj, c*8:c*8+8] = 0
            load_k(kb)
            for j0 in range(kb, ke, BK):
              load_v(j0)
              for w in range(NW):
                sacc = [[[0.0]*4 for _ in range(BK//8)] for _ in range(32)]
                for kc in range(D//16):
                  qa = ldsm_x4(Qs, lambda l: (w*16 + ((l>>3)&1)*8 + (l&7), kc*16 + ((l>>3)>>1)*8), False)
                  for np_ in range(BK//16):
                    kb4 = ldsm_x4(Ks, lambda l: (kc*16 + ((l>>3)&1)*8 + (l&7), np_*16 + ((l>>3)>>1)*8), True)
                    c0 = [sacc[i][2*np_] for i in range(32)]; c1 = [sacc[i][2*np_+1] for i in range(32)]
                    mma(c0, qa, [kb4[i][0] for i in range(32)], [kb4[i][1] for i in range(32)])
                    mma(c1, qa, [kb4[i][2] for i in range(32)], [kb4[i][3] for i in range(32)])
                # per-lane softmax
                mx_a = [0]*32; mx_b = [0]*32
                for lane in range(32):
                  s_ = st[w,lane]; tq = lane&3
                  ma, mb = -math.inf, -math.inf
                  for nt in range(BK//8):
                    key = j0 + nt*8 + 2*tq
                    c = sacc[lane][nt]
                    c[0] = c[0]*sl2 if key < s_['lim_a'] else -math.inf
                    c[1] = c[1]*sl2 if key+1 < s_['lim_a'] else -math.inf
                    c[2] = c[2]*sl2 if key < s_['lim_b'] else -math.inf
                    c[3] = c[3]*sl2 if key+1 < s_['lim_b'] else -math.inf
                    ma = max(ma, c[0], c[1]); mb = max(mb, c[2], c[3])
                  mx_a[lane], mx_b[lane] = ma, mb
                for lane in range(32):  # shfl xor 1, 2
                  grp = [lane ^ x for x in (0,1,2,3)]
                  ma = max(mx_a[x] for x in grp); mb = max(mx_b[x] for x in grp)
                  s_ = st[w,lane]
                  mn_a = max(s_['m_a'], ma); mn_b = max(s_['m_b'], mb)
                  mu_a = 0 if mn_a == -math.inf else mn_a; mu_b = 0 if mn_b == -math.inf else mn_b
                  al_a = 2**(s_['m_a'] - mu_a) if s_['m_a'] != -math.inf else 0.0
                  al_b = 2**(s_['m_b'] - mu_b) if s_['m_b'] != -math.inf else 0.0
                  sa = sb = 0.0
                  for nt in range(BK//8):
                    c = sacc[lane][nt]
                    c[0] = 2**(c[0]-mu_a) if c[0] != -math.inf else 0.0
                    c[1] = 2**(c[1]-mu_a) if c[1] != -math.inf else 0.0
                    c[2] = 2**(c[2]-mu_b) if c[2] != -math.inf else 0.0
                    c[3] = 2**(c[3]-mu_b) if c[3] != -math.inf else 0.0
                    sa += c[0]+c[1]; sb += c[2]+c[3]
                  s_['l_a'] = s_['l_a']*al_a + sa; s_['l_b'] = s_['l_b']*al_b + sb
                  s_['m_a'] = mn_a; s_['m_b'] = mn_b
                  for dt in range(D//8):
                    o = s_['o'][dt]; o[0]*=al_a; o[1]*=al_a; o[2]*=al_b; o[3]*=al_b
                pa = [[None]*4 for _ in range(32)]
                for lane in range(32):
                  pa[lane] = [[(sacc[lane][2*kk][0], sacc[lane][2*kk][1]), (sacc[lane][2*kk][2], sacc[lane][2*kk][3]),
                               (sacc[lane][2*kk+1][0], sacc[lane][2*kk+1][1]), (sacc[lane][2*kk+1][2], sacc[lane][2*kk+1][3])] for kk in range(BK//16)]
                st[w,'pa'] = pa
              if j0 + BK < ke:
                pass
              for w in range(NW):
                pa = st[w,'pa']
                for kk in range(BK//16):
                  a = [pa[l][kk] for l in range(32)]
                  for dp in range(D//16):
                    vb = ldsm_x4(Vs, lambda l: (kk*16 + ((l>>3)&1)*8 + (l&7), dp*16 + ((l>>3)>>1)*8), True)
                    c0 = [st[w,l]['o'][2*dp] for l in range(32)]; c1 = [st[w,l]['o'][2*dp+1] for l in range(32)]
                    mma(c0, a, [vb[i][0] for i in range(32)], [vb[i][1] for i in range(32)])
                    mma(c1, a, [vb[i][2] for i in range(32)], [vb[i][3] for i in range(32)])
              if j0 + BK < ke:
                load_k(j0 + BK)
          for w in range(NW):
            for lane in range(32):  # l reductions
              pass
            ls = {}
            for lane in range(32):
              grp = [lane ^ x for x in (0,1,2,3)]
              ls[lane] = (sum(st[w,x]['l_a'] for x in grp), sum(st[w,x]['l_b'] for x in grp))
            for lane in range(32):
              s_ = st[w,lane]; tq = lane & 3
              for half in range(2):
                row = s_['rb'] if half else s_['ra']
                if row >= R: continue
                t, g = row//G, row%G
                orow = t*Hq + h*G + g
                l = ls[lane][half]; m = s_['m_b'] if half else s_['m_a']
                for dt in range(D//8):
                  v0, v1 = s_['o'][dt][2*half], s_['o'][dt][2*half+1]
                  if n_splits > 1:
                    o_part[split, orow, dt*8+2*tq] = v0; o_part[split, orow, dt*8+2*tq+1] = v1
                    if tq == 0: m_part[split, orow] = m; l_part[split, orow] = l
                  else:
                    inv = 1/l if l > 0 else 0
                    out[t, h*G+g, dt*8+2*tq] = v0*inv; out[t, h*G+g, dt*8+2*tq+1] = v1*inv
    if n_splits > 1:
      for row in range(T*Hq):
        M = max(m_part[:, row]); L = 0; acc = np.zeros(D)
        for s in range(n_splits):
          m = m_part[s, row]; wgt = 0 if m == -math.inf else 2**(m - M)
          L += wgt*l_part[s, row]; acc += wgt*o_part[s, row]
        out[row//Hq, row%Hq] = acc/L
    err = np.sqrt(np.nansum((out-ref)**2)/np.sum(ref**2)) if not np.isnan(out).any() else float('inf')
    return err

for args in [(32, 4, 2, 16, 0, 20, 1), (32, 4, 2, 16, 5, 3, 1), (64, 8, 2, 32, 70, 9, 1), (32, 2, 1, 48, 130, 1, 3),
             (32, 8, 1, 16, 100, 1, 8), (64, 4, 4, 64, 0, 70, 1), (32, 6, 3, 16, 40, 17, 2)]:
    print(args, "error %.3g" % run(*args))
