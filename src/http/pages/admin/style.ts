// The console's stylesheet, sent inline under the page's nonce (no external file, no CDN).
export const CONSOLE_STYLE = `
:root{--ink:#1b1b1b;--muted:#666;--line:#ddd;--accent:#2457c5;--bad:#b3261e}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:var(--ink)}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;border-bottom:1px solid var(--line)}
header h1{font-size:1.1rem;margin:0;flex:1}
main,#signin{max-width:72rem;margin:1rem auto;padding:0 1.2rem}
nav{display:flex;gap:.5rem;margin-bottom:1rem}
nav button[aria-current=page]{background:var(--accent);color:#fff}
form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}
#signin form{flex-direction:column;align-items:stretch;max-width:22rem}
label{display:grid;gap:.15rem;font-size:.85rem;color:var(--muted)}
input,select,button{font:inherit;padding:.3rem .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr.link{cursor:pointer}tbody tr.link:hover{background:#f3f6fc}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:var(--muted)}dd{margin:0}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.8rem 0}
.pager{display:flex;gap:.5rem;align-items:center}
#status:not(:empty){padding:.5rem .8rem;border-radius:6px;background:#fdecea;color:var(--bad)}
#status.info:not(:empty){background:#e8f0fe;color:var(--accent)}
#chart svg{max-width:100%;height:auto}
[hidden]{display:none!important}
`;
