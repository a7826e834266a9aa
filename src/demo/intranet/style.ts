/** The sample intranet's one stylesheet, inlined in every page (the CSP allows no external assets). */
export const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"Hiragino Kaku Gothic ProN","Hiragino Sans","Noto Sans JP","Yu Gothic UI",Meiryo,system-ui,sans-serif;
  background:#f3f1ec;color:#2b2b2b;line-height:1.6}
a{color:#1d4f91}
header{background:linear-gradient(90deg,#1f3a5f,#2c5d8f);color:#fff;box-shadow:0 2px 6px rgba(0,0,0,.15)}
.bar{max-width:1040px;margin:0 auto;padding:.7rem 1.2rem;display:flex;flex-wrap:wrap;gap:.6rem 1.5rem;align-items:center}
.brand{font-weight:700;font-size:1.1rem;letter-spacing:.05em;color:#fff;text-decoration:none}
.brand small{font-weight:400;opacity:.75;margin-left:.4rem;font-size:.75rem}
nav{display:flex;gap:.2rem;flex-wrap:wrap;flex:1}
nav a{color:#dfe8f3;text-decoration:none;padding:.25rem .7rem;border-radius:4px;font-size:.92rem}
nav a:hover,nav a.on{background:rgba(255,255,255,.16);color:#fff}
.badge{background:#fff;color:#1f3a5f;border-radius:999px;padding:.2rem .8rem;font-size:.85rem;white-space:nowrap}
.badge small{color:#667}
.badge-anon{background:#f6e7c1;color:#6b4e00}
main{max-width:1040px;margin:0 auto;padding:1.5rem 1.2rem 3rem}
h1{margin:.2rem 0 1rem;font-size:1.6rem;border-left:6px solid #b8312f;padding-left:.7rem}
h1 small,h2 small,th small{font-weight:400;color:#777;font-size:.7em;margin-left:.3rem}
h2{font-size:1.05rem;margin:0 0 .6rem}
.panel{background:#fff;border-radius:8px;padding:1rem 1.2rem;margin:0 0 1.2rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:1rem;margin-bottom:1.2rem}
.card{display:block;background:#fff;border-radius:8px;padding:1rem 1.2rem;text-decoration:none;color:inherit;
  box-shadow:0 1px 3px rgba(0,0,0,.08);border-top:4px solid #2c5d8f}
.card:hover{box-shadow:0 3px 10px rgba(0,0,0,.14)}
.card b{display:block;font-size:1.1rem;color:#1f3a5f}
.card small{color:#777}
.card p{margin:.4rem 0 0;font-size:.9rem}
table{border-collapse:collapse;width:100%}
.data th,.data td{border-bottom:1px solid #e4e1da;padding:.45rem .6rem;text-align:left;font-size:.92rem}
.data th{background:#f7f5f0;font-weight:600}
.data td.num,.data th.num{text-align:right;font-variant-numeric:tabular-nums}
.data tfoot td{font-weight:700;border-top:2px solid #ccc}
.kv th{text-align:left;font-weight:600;padding:.25rem 1rem .25rem 0;white-space:nowrap;vertical-align:top;width:1%}
.kv td{padding:.25rem 0;word-break:break-all}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1efe9;padding:0 .3rem;border-radius:3px}
.chip{display:inline-block;background:#e6eef8;color:#1f3a5f;border-radius:4px;padding:0 .5rem;font-size:.85rem;margin:0 .2rem .2rem 0}
.muted{color:#888}
.welcome{font-size:1.25rem;margin:0 0 .3rem}
.st{display:inline-block;border-radius:4px;padding:0 .5rem;font-size:.82rem}
.st-ok{background:#e1f3e4;color:#1d6b2c}.st-wait{background:#fff3d6;color:#7a5a00}.st-ng{background:#fbe3e1;color:#9b2520}
.secret{background:#fbe3e1;border:1px solid #e6a8a3;color:#7d1f1a;border-radius:6px;padding:.6rem 1rem;margin-bottom:1.2rem}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #ccc;border-radius:4px}
button,.btn{background:#2c5d8f;color:#fff;border:0;border-radius:4px;padding:.45rem 1.2rem;font:inherit;cursor:pointer;text-decoration:none;display:inline-block}
.btn-out{background:#b8312f}
pre{white-space:pre-wrap;word-break:break-all;background:#f7f5f0;border-radius:4px;padding:.6rem .8rem;margin:.4rem 0 0}
.notice li{margin:.3rem 0}
.notice time{color:#777;font-variant-numeric:tabular-nums;margin-right:.8rem}
footer{max-width:1040px;margin:0 auto;padding:0 1.2rem 2rem;color:#888;font-size:.8rem}
`;
