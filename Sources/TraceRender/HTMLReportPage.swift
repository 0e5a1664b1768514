/// The fixed parts of the HTML report (``HTMLRenderer``): style and code before the data, the page's
/// start after it. Everything the page needs is here: it loads nothing.
enum HTMLReportPage {
    /// From the doctype to the opening of the data script: the style, and the functions the data calls
    /// (`H` header, `S` symbol, `F` frame, `Z` summary).
    static let head = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>pktpath report</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#fafbfc}
header{padding:8px 14px;background:#1d2430;color:#eef}
header h1{font-size:16px;margin:0 8px 0 0;display:inline}
header .meta{color:#aab}
nav{padding:6px 14px;background:#e8ecf2;border-bottom:1px solid #ccd}
nav button{border:1px solid #99a;background:#fff;padding:3px 10px;margin-right:4px;cursor:pointer}
nav button.on{background:#1d2430;color:#fff}
.view{display:none;padding:8px 14px}.view.on{display:block}
#packets{display:flex;gap:12px}
#listpane,#detail{min-width:0;max-height:calc(100vh - 110px);overflow:auto}
#listpane{flex:1 1 58%}#detail{flex:1 1 42%;border-left:1px solid #ccd;padding-left:12px}
#list{table-layout:fixed}#list th:nth-child(1){width:4em}#list th:nth-child(2){width:7em}#list th:nth-child(3){width:2.5em}#list th:nth-child(5){width:7em}#list th:nth-child(6){width:13em}
code{background:#eef1f5;padding:0 2px}
.filters{margin-bottom:6px}.filters *{margin-right:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:2px 6px;border-bottom:1px solid #e3e6ea;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:420px}
th{background:#eef1f5;cursor:pointer;user-select:none;position:sticky;top:0}
#list tbody tr{cursor:pointer}#list tbody tr.sel{background:#cfe0ff}
.v-drop{color:#b00020;font-weight:600}.v-deliver{color:#13795b}.v-transmit,.v-forward{color:#1f4fbf}.v-queue{color:#9a6700}.v-unknown{color:#8a3ffc}
.tree{font-family:ui-monospace,monospace;font-size:12px}
.tree div{white-space:pre}
.tree .file{color:#667}.tree .expl{color:#555;font-family:system-ui,sans-serif}
.tree .note{color:#0b7285}.tree .drop{color:#b00020;font-weight:600}.tree .nm{color:#8a3ffc}
.tree .cur{background:#ffe9a8}
a{color:#1f4fbf}.link{cursor:pointer;text-decoration:underline;color:#1f4fbf}
.step{border:1px solid #ccd;background:#fff;padding:8px;margin:6px 0}
.step .layer{display:inline-block;padding:1px 8px;border-radius:9px;background:#1d2430;color:#fff;font-size:11px}
.pager{margin:6px 0}
.small{color:#667;font-size:12px}
.cols{display:flex;gap:24px;flex-wrap:wrap}.cols>div{min-width:260px}
</style>
<script>
"use strict";
const R={header:null,sym:[],text:[],paths:[],frames:[],summary:null,agreement:null,verify:null};
function H(h){R.header=h}
function S(id,fn,file,expl){R.sym[id]={fn:fn,file:file,expl:expl}}
function T(id,text){R.text[id]=text}
function P(id,path){R.paths[id]=path}
function F(f){if(typeof f[12]==="number")f[12]=R.paths[f[12]];R.frames.push(f)}
function Z(s,a){R.summary=s;R.agreement=a}
function V(v){R.verify=v}
</script>

"""#

    /// After the data: the page's markup and the code that builds it.
    static let tail = #"""
<header><h1>pktpath</h1><span class="meta" id="meta"></span></header>
<nav><button data-view="packets" class="on">Packets</button><button data-view="graph">Call graph</button><button data-view="stats">Statistics</button><button data-view="about">Host and agreement</button>
<span class="small">keys: j/k next/previous frame, enter step through, ←/→ step, esc back</span></nav>
<section class="view on" id="v-packets"><div id="packets">
<div id="listpane"><div class="filters">
<label>verdict <select id="fverdict"><option value="">all</option></select></label>
<label>protocol <select id="fproto"><option value="">all</option></select></label>
<label>function <input id="ffunc" size="18" placeholder="e.g. tcp_v4_rcv"></label></div>
<div class="pager" id="pager"></div>
<table id="list"><thead><tr><th data-k="0">#</th><th data-k="1">time (s)</th><th data-k="2">dir</th><th data-k="3">summary</th><th data-k="4">verdict</th><th data-k="5">drop reason</th></tr></thead><tbody></tbody></table>
</div>
<div id="detail"><p class="small">Select a frame (click, or j/k).</p></div>
</div></section>
<section class="view" id="v-graph"><p class="small">Every caller → callee edge of the capture's paths, counted in frames.</p><div id="graph"></div></section>
<section class="view" id="v-stats"><div id="chart"></div><div class="cols" id="stats"></div></section>
<section class="view" id="v-about"><div id="about"></div></section>
<script>
"use strict";
const PAGE=500, ORDER=["deliver","forward","queue","drop","transmit","unknown"];
const COLOR={deliver:"#13795b",forward:"#4c7bd9",queue:"#c99a06",drop:"#b00020",transmit:"#1f4fbf",unknown:"#8a3ffc"};
const $=id=>document.getElementById(id);
const esc=s=>String(s==null?"":s).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
// An explanation's `code` spans, escaped.
const prose=s=>esc(s).replace(/`([^`]+)`/g,"<code>$1</code>");
const fr=R.frames, t0=fr.length?fr[0][1]+fr[0][2]/1e9:0;
const rel=f=>(f[1]-fr[0][1])+(f[2]-fr[0][2])/1e9;
const kernel=R.header?R.header.kernel:"";
const elixir=fn=>"https://elixir.bootlin.com/linux/v"+kernel+"/A/ident/"+encodeURIComponent(fn);
const proto=f=>(f[7]||String(f[5]).split(" ")[0]||"").toLowerCase();
const byNumber=new Map(fr.map((f,i)=>[f[0],i]));
const causes=new Map();
for(const f of fr){if(f[10]!=null){if(!causes.has(f[10]))causes.set(f[10],[]);causes.get(f[10]).push(f[0])}}
// Decodes a path into events {kind, depth, sym, inline, text, fn}.
const KIND=["n","s","h","x"];
function events(list){return list.map(e=>{
 if(typeof e!=="number")return e[0]==="d"?{kind:"d",depth:e[1],text:e[2],fn:e[3]}:{kind:KIND[e[0]],depth:e[1],text:e[2]};
 if(e>=0)return {kind:"call",sym:R.sym[Math.floor(e/512)]||{fn:"?",file:""},inline:(e&256)!==0,depth:e&255};
 const v=-e-1;return {kind:KIND[(v>>8)&7],depth:v&255,text:R.text[Math.floor(v/2048)]}})}
function layer(file,fn){
 if(/^drivers\//.test(file)||/^net\/mac80211\//.test(file))return "driver";
 if(/^net\/ethernet\//.test(file)||/^net\/(8021q|bridge)\//.test(file))return "link";
 if(/netfilter/.test(file))return "netfilter";
 if(/^net\/ipv4\/(tcp|udp|icmp|raw)/.test(file)||/^net\/ipv6\/(tcp|udp|icmp|raw)/.test(file))return "transport";
 if(/^net\/ipv4\/(af_inet|inet_hashtables|inet_connection_sock)/.test(file)||/^net\/core\/sock|^net\/packet\//.test(file))return "socket";
 if(/^net\/ipv4\//.test(file))return "IPv4";
 if(/^net\/ipv6\//.test(file))return "IPv6";
 if(/^net\/core\/neighbour|^net\/ipv4\/arp/.test(file))return "neighbour";
 return "core";
}
// What a function does to the skb, in our words (the model's notes at the step are shown too).
const SKB={
 eth_type_trans:"pulls the 14-byte Ethernet header: skb->data moves to the network header; sets skb->protocol and skb->pkt_type",
 ip_rcv_core:"checks the IPv4 header (version, length, checksum); trims bytes beyond tot_len; sets the transport header offset",
 ip_rcv:"takes an IPv4 skb from the core",
 ip_route_input_noref:"looks up the input route and attaches it: skb_dst is set",
 ip_route_input_slow:"resolves the route through the FIB; skb_dst is set to a local, forward or error route",
 ip_rcv_finish_core:"early demux, then the input route: skb_dst is set",
 ip_local_deliver_finish:"pulls the IPv4 header: skb->data now points at the transport header",
 __skb_checksum_complete:"verifies the checksum in software: ip_summed becomes CHECKSUM_UNNECESSARY, or the frame is dropped",
 tcp_v4_rcv:"checks the TCP header and checksum state, looks up the socket (skb->sk)",
 __udp4_lib_rcv:"checks the UDP header and checksum state, looks up the socket",
 udp_rcv:"UDP receive entry",
 icmp_rcv:"checks the ICMP checksum and dispatches on the type",
 napi_gro_receive:"offers the skb to GRO, which may merge it into an earlier one",
 dev_gro_receive:"GRO: merged into a held skb, or passed on as it is",
 __netif_receive_skb_core:"resets the network header; delivers to taps (AF_PACKET) and the protocol handler",
 ip_queue_xmit:"pushes the IPv4 header and sets the output route (skb_dst)",
 __ip_queue_xmit:"pushes the IPv4 header and sets the output route (skb_dst)",
 __ip_local_out:"fills tot_len and the IPv4 header checksum",
 ip_finish_output2:"finds the neighbour to send through",
 neigh_resolve_output:"pushes the Ethernet header once the neighbour is resolved (or queues the skb)",
 neigh_hh_output:"pushes the cached Ethernet header",
 eth_header:"pushes the Ethernet header",
 __dev_queue_xmit:"sets the MAC header; picks the TX queue and qdisc",
 validate_xmit_skb:"finishes offloads the device lacks (checksum, segmentation)",
 dev_hard_start_xmit:"hands the skb to the driver",
 kfree_skb_reason:"frees the skb as a drop, with the reason",
 sk_skb_reason_drop:"frees the skb as a drop, with the reason",
 consume_skb:"frees the skb after use (not a drop)",
 tcp_v4_send_reset:"builds a RST in reply (a new skb)",
 icmp_reply:"builds an ICMP reply (a new skb)",
 __icmp_send:"builds an ICMP error (a new skb)",
 ip_forward:"decrements the TTL and forwards",
 ip_defrag:"queues the fragment, or completes the datagram",
};
let view=[], sortKey=0, sortDir=1, page=0, sel=-1, stepping=false, stepAt=0;
function fill(select,values){for(const v of values){const o=document.createElement("option");o.value=v;o.textContent=v;select.appendChild(o)}}
fill($("fverdict"),ORDER.filter(v=>fr.some(f=>f[6]===v)));
fill($("fproto"),[...new Set(fr.map(proto))].filter(Boolean).sort());
function matches(f,v,p,fn){
 if(v&&f[6]!==v)return false;
 if(p&&proto(f)!==p)return false;
 if(fn){let ok=false;for(const e of f[12]){if(typeof e==="number"&&e>=0){const s=R.sym[Math.floor(e/512)];if(s&&s.fn.includes(fn)){ok=true;break}}}if(!ok)return false}
 return true;
}
const KEYS=[f=>f[0],f=>rel(f),f=>f[3],f=>f[5],f=>f[6],f=>f[8]||""];
function refilter(){
 const v=$("fverdict").value,p=$("fproto").value,fn=$("ffunc").value.trim();
 view=[];for(let i=0;i<fr.length;i++)if(matches(fr[i],v,p,fn))view.push(i);
 const k=KEYS[sortKey];view.sort((a,b)=>{const x=k(fr[a]),y=k(fr[b]);return (x<y?-1:x>y?1:a-b)*sortDir});
 page=0;renderList();
}
function renderList(){
 const pages=Math.max(1,Math.ceil(view.length/PAGE));page=Math.min(page,pages-1);
 const from=page*PAGE,to=Math.min(view.length,from+PAGE);
 $("pager").innerHTML=`frames ${view.length?from+1:0}–${to} of ${view.length} shown (${fr.length} in the trace) · page ${page+1} of ${pages} <button id="prev">‹ previous</button><button id="next">next ›</button>`;
 $("prev").onclick=()=>{if(page>0){page--;renderList()}};$("next").onclick=()=>{if(page<pages-1){page++;renderList()}};
 const rows=[];
 for(let j=from;j<to;j++){const i=view[j],f=fr[i];
  rows.push(`<tr data-i="${i}" id="row-${f[0]}"${i===sel?' class="sel"':""}><td>${f[0]}</td><td>${rel(f).toFixed(6)}</td><td>${f[3]}</td><td title="${esc(f[5])}">${esc(f[5])}</td><td class="v-${f[6]}">${f[6]}${f[7]&&f[6]==="deliver"?" "+esc(f[7]):""}</td><td>${esc(f[8]||"")}</td></tr>`)}
 $("list").tBodies[0].innerHTML=rows.join("");
}
$("list").tBodies[0].addEventListener("click",e=>{const tr=e.target.closest("tr");if(tr)select(+tr.dataset.i)});
$("list").tHead.addEventListener("click",e=>{const th=e.target.closest("th");if(!th)return;const k=+th.dataset.k;sortDir=k===sortKey?-sortDir:1;sortKey=k;refilter()});
for(const id of ["fverdict","fproto"])$(id).onchange=refilter;
$("ffunc").oninput=refilter;
function frameLink(n){return byNumber.has(n)?`<span class="link" data-frame="${n}">#${n}</span>`:`#${n} (not in this trace)`}
function select(i){
 sel=i;stepping=false;
 const pos=view.indexOf(i);if(pos>=0&&Math.floor(pos/PAGE)!==page){page=Math.floor(pos/PAGE);renderList()}
 for(const tr of $("list").querySelectorAll("tr.sel"))tr.classList.remove("sel");
 const row=$("row-"+fr[i][0]);if(row){row.classList.add("sel");row.scrollIntoView({block:"nearest"})}
 renderDetail();
}
function treeHTML(evs,cur){
 return evs.map((e,k)=>{const pad="  ".repeat(e.depth);const c=k===cur?' class="cur"':"";
  if(e.kind==="call")return `<div${c}>${pad}<a href="${elixir(e.sym.fn)}" title="${esc(e.sym.fn)} in Elixir (Linux ${esc(kernel)})">${esc(e.sym.fn)}</a>${e.inline?" (inline)":""}  <span class="file">${esc(e.sym.file)}</span>${e.sym.expl?`  <span class="expl">— ${prose(e.sym.expl)}</span>`:""}</div>`;
  if(e.kind==="d")return `<div class="drop">${pad}✗ ${esc(e.text)} in ${esc(e.fn)}</div>`;
  if(e.kind==="x")return `<div class="nm">${pad}? not modeled: ${esc(e.text)}</div>`;
  const mark={n:"·",s:"◦",h:"⎇"}[e.kind]||"·";
  return `<div class="note">${pad}${mark} ${esc(e.text)}</div>`}).join("");
}
function verdictText(f){
 if(f[6]==="drop")return `✗ ${esc(f[8]||"drop")}${f[9]?" in "+esc(f[9]):""}`;
 if(f[6]==="deliver")return `✓ deliver ${esc(f[7]||"")}`;
 return esc(f[6]);
}
function renderDetail(){
 if(sel<0)return;const f=fr[sel],evs=events(f[12]);
 let h=`<h3>#${f[0]} ${f[3]} ${esc(f[4])} <span class="v-${f[6]}">${verdictText(f)}</span>${f[11]?" (reassembled)":""}</h3><div>${esc(f[5])}</div>`;
 if(f[10]!=null)h+=`<div>caused by ${frameLink(f[10])}</div>`;
 if(causes.has(f[0]))h+=`<div>caused ${causes.get(f[0]).map(frameLink).join(", ")}</div>`;
 for(const t of f[13])h+=`<div class="small">timer ${esc(t[0])} ran before this frame${t[1]!=null?" (armed by "+frameLink(t[1])+")":""}</div><div class="tree">${treeHTML(events(t[2]),-1)}</div>`;
 if(stepping){
  const calls=evs.map((e,k)=>e.kind==="call"?k:-1).filter(k=>k>=0);stepAt=Math.max(0,Math.min(stepAt,calls.length-1));
  const k=calls[stepAt],e=evs[k];
  const notes=[];for(let j=k+1;j<evs.length&&evs[j].kind!=="call";j++)notes.push(evs[j]);
  h+=`<div class="step" id="step"><button id="sprev">← previous</button> step ${stepAt+1} of ${calls.length} <button id="snext">next →</button> <button id="sdone">tree</button>
  <h4><span class="layer" id="layer">${layer(e.sym.file,e.sym.fn)}</span> <a href="${elixir(e.sym.fn)}">${esc(e.sym.fn)}</a> <span class="small">${esc(e.sym.file)}</span></h4>
  <div>${prose(e.sym.expl||"")}</div><div id="skb"><b>skb:</b> ${esc(SKB[e.sym.fn]||"no change the model tracks")}</div>
  ${notes.length?`<div class="tree">${treeHTML(notes,-1)}</div>`:""}</div><div class="tree">${treeHTML(evs,k)}</div>`;
 }else{
  h+=`<p><button id="stepbtn">step through (enter)</button></p><div class="tree" id="tree">${treeHTML(evs,-1)}</div>`;
 }
 $("detail").innerHTML=h;
 if(stepping){$("sprev").onclick=()=>step(-1);$("snext").onclick=()=>step(1);$("sdone").onclick=()=>{stepping=false;renderDetail()}}
 else $("stepbtn").onclick=()=>{stepping=true;stepAt=0;renderDetail()};
}
function step(d){stepAt+=d;if(stepAt<0)stepAt=0;renderDetail()}
document.addEventListener("click",e=>{const l=e.target.closest("[data-frame]");if(l){const i=byNumber.get(+l.dataset.frame);if(i!=null){show("packets");select(i)}}});
document.addEventListener("keydown",e=>{
 if(e.target.tagName==="INPUT"||e.target.tagName==="SELECT")return;
 const pos=view.indexOf(sel);
 if(e.key==="j"){const n=pos<0?0:Math.min(view.length-1,pos+1);if(view.length)select(view[n])}
 else if(e.key==="k"){const n=pos<0?0:Math.max(0,pos-1);if(view.length)select(view[n])}
 else if(e.key==="Enter"&&sel>=0){stepping=!stepping;stepAt=0;renderDetail()}
 else if(stepping&&(e.key==="ArrowRight"||e.key==="n"))step(1);
 else if(stepping&&(e.key==="ArrowLeft"||e.key==="p"))step(-1);
 else if(e.key==="Escape"&&stepping){stepping=false;renderDetail()}
 else return;
 e.preventDefault();
});
function show(v){for(const b of document.querySelectorAll("nav button"))b.classList.toggle("on",b.dataset.view===v);
 for(const s of document.querySelectorAll(".view"))s.classList.toggle("on",s.id==="v-"+v)}
// The call graph and the statistics are built the first time they are shown.
const built=new Set();
for(const b of document.querySelectorAll("nav button"))b.onclick=()=>{const v=b.dataset.view;
 if(!built.has(v)){built.add(v);if(v==="graph")renderGraph();if(v==="stats")renderStats();if(v==="about")renderAbout()}
 show(v)};
function table(title,rows,heads){return `<div><h3>${esc(title)}</h3><table><thead><tr>${heads.map(h=>`<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map(r=>`<tr>${r.map(c=>`<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`}
function renderGraph(){
 const edges=new Map(),calls=new Map();
 for(const f of fr){const stack=[],seen=new Set();
  for(const e of f[12]){if(typeof e!=="number"||e<0)continue;const id=Math.floor(e/512),d=e&255;
   while(stack.length&&stack[stack.length-1][1]>=d)stack.pop();
   const key=(stack.length?stack[stack.length-1][0]:-1)+">"+id;
   if(!seen.has(key)){seen.add(key);edges.set(key,(edges.get(key)||0)+1)}
   stack.push([id,d])}
  for(const k of seen){const c=+k.split(">")[1];calls.set(c,(calls.get(c)||0)+1)}}
 const rows=[...edges].sort((a,b)=>b[1]-a[1]).map(([k,n])=>{const [a,b]=k.split(">").map(Number);return [a<0?"(entry)":R.sym[a].fn,R.sym[b].fn,R.sym[b].file,n]});
 $("graph").innerHTML=table(`${rows.length} edges`,rows,["caller","callee","callee's file","frames"]);
}
function renderStats(){
 const s=R.summary||{verdicts:{},drop_reasons:{},counters:{}};
 const paths=new Map();
 for(const f of fr){const names=[];for(const e of f[12])if(typeof e==="number"&&e>=0&&!(e&256))names.push(R.sym[Math.floor(e/512)].fn);const k=names.join(" → ")+"  ⇒ "+f[6];paths.set(k,(paths.get(k)||0)+1)}
 const top=[...paths].sort((a,b)=>b[1]-a[1]).slice(0,10);
 $("stats").innerHTML=table("verdicts",ORDER.filter(v=>s.verdicts[v]).map(v=>[v,s.verdicts[v]]),["verdict","frames"])
  +table("drop reasons",Object.entries(s.drop_reasons).sort((a,b)=>b[1]-a[1]),["reason","frames"])
  +table("most common paths",top.map(([k,n])=>[n,k]),["frames","path"])
  +table("SNMP counters",Object.entries(s.counters).filter(e=>e[1]).sort(),["counter","value"]);
 // Verdicts over time: the capture's span in up to 60 bins, stacked.
 const n=fr.length;if(!n){$("chart").textContent="no frames";return}
 let lo=Infinity,hi=-Infinity;for(const f of fr){const t=rel(f);if(t<lo)lo=t;if(t>hi)hi=t}
 const B=60,span=(hi-lo)||1,bins=Array.from({length:B},()=>({}));let max=1;
 for(const f of fr){const b=Math.min(B-1,Math.floor((rel(f)-lo)/span*B));bins[b][f[6]]=(bins[b][f[6]]||0)+1}
 for(const b of bins){const t=Object.values(b).reduce((x,y)=>x+y,0);if(t>max)max=t}
 const W=720,Hh=160,bw=W/B;let svg=`<svg id="chartsvg" width="${W+60}" height="${Hh+40}" role="img" aria-label="verdicts over time"><g transform="translate(40,10)">`;
 bins.forEach((b,i)=>{let y=Hh;for(const v of ORDER){const c=b[v]||0;if(!c)continue;const h=c/max*Hh;y-=h;svg+=`<rect class="bar" x="${(i*bw).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw-1).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOR[v]}"><title>${v}: ${c}</title></rect>`}});
 svg+=`<line x1="0" y1="${Hh}" x2="${W}" y2="${Hh}" stroke="#889"/><text x="0" y="${Hh+16}" font-size="11">${lo.toFixed(3)} s</text><text x="${W}" y="${Hh+16}" font-size="11" text-anchor="end">${hi.toFixed(3)} s</text><text x="-4" y="8" font-size="11" text-anchor="end">${max}</text></g></svg>`;
 $("chart").innerHTML=`<h3>verdicts over time</h3>${svg}<div class="small">${ORDER.map(v=>`<span style="color:${COLOR[v]}">■</span> ${v}`).join(" ")}</div>`;
}
function verifyFigures(v){
 const a=v.agreement||{},aspects=["frames","verdict","drop_reason","drop_function","transmissions","path"];
 const rows=aspects.filter(k=>a[k]).map(k=>[k.replace("_"," "),`${a[k].agreeing} of ${a[k].compared}`]);
 const parting=v.parting||[];
 return `<h3 id="verify">This machine's kernel (pktpath verify)</h3><p>Linux ${esc(v.release)}, model ${esc(v.kernel)}: ${v.replayed} frames replayed into a scratch copy of the host`+(v.not_replayed?`, ${v.not_replayed} not (the host sent them)`:"")+`.</p>`
  +table("agreement",rows,["aspect","agreeing"])
  +(parting.length?`<p>Frames where the kernel and the model part:</p><ul id="parting">${parting.map(f=>`<li>#${f.frame} ${esc(f.summary)}: ${esc(f.parting.join(", "))}; model ${esc(f.model)}, kernel ${esc(f.kernel)}</li>`).join("")}</ul>`:"<p>Every frame replayed agrees.</p>");
}
function renderAbout(){
 const h=R.header||{};
 $("about").innerHTML=`<h3>Agreement</h3><p id="agreement">${esc(R.agreement||"The capture gave nothing to compare the model's predictions with.")}</p>`
  +(R.verify?verifyFigures(R.verify):"")
  +`<h3>Assumptions</h3>${(h.assumptions||[]).length?"<ul>"+h.assumptions.map(a=>`<li>${esc(a)}</li>`).join("")+"</ul>":"<p>None: the host was given as a profile.</p>"}`
  +((h.overrides||[]).length?`<h3>What-if changes</h3><ul>${h.overrides.map(a=>`<li>${esc(a)}</li>`).join("")}</ul>`:"")
  +`<h3>Host</h3><pre>${esc(JSON.stringify(h.host,null,1))}</pre>`;
}
$("meta").textContent=`Linux ${kernel} model · ${R.header?R.header.capture:""} · ${fr.length} frames`+(R.summary?"":" · the trace was cut short");
refilter();
</script>
</body></html>

"""#
}
