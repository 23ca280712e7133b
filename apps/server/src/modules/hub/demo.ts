/**
 * The demo region's hub: a provincial education model registered and approved province-wide, an
 * embedding model, the main node (a local Ollama at its default address — "down" until one runs),
 * a third-party app waiting for review, a starter content-safety lexicon and guardrail policies.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/index.js';
import { CHECKLIST } from './schema.js';
import { hubApprovals, hubLexicon, hubModels, hubNodeModels, hubNodes, hubPolicies, hubProducts, hubReviews } from './tables.js';

/** Records made by the platform itself (demo data) carry this user id. */
export const SYSTEM_USER = '00000000-0000-0000-0000-000000000000';

const LEXICON: [string, string, 'block' | 'flag', string[] | null][] = [
  ['自制炸药', '暴力危险', 'block', null],
  ['制作炸弹', '暴力危险', 'block', null],
  ['买枪', '暴力危险', 'block', null],
  ['血腥视频', '暴力危险', 'block', ['primary', 'junior']],
  ['自杀方法', '自伤自残', 'block', null],
  ['怎么自残', '自伤自残', 'block', null],
  ['不想活了', '心理关怀', 'flag', null],
  ['想死', '心理关怀', 'flag', null],
  ['色情', '色情低俗', 'block', ['primary', 'junior', 'senior']],
  ['裸聊', '色情低俗', 'block', null],
  ['网络赌博', '赌博', 'block', null],
  ['赌球', '赌博', 'block', null],
  ['冰毒', '毒品', 'block', null],
  ['大麻购买', '毒品', 'block', null],
  ['代写作业', '学术诚信', 'flag', null],
  ['考试答案泄露', '学术诚信', 'flag', null],
  ['替考', '学术诚信', 'flag', null],
  ['校园贷', '不良诱导', 'flag', null],
  ['网贷', '不良诱导', 'flag', ['primary', 'junior', 'senior']],
  ['约架', '校园欺凌', 'flag', null],
  ['孤立他', '校园欺凌', 'flag', null],
];

export async function seedHubDemoIfEmpty(db: Db, rootRegionId: string | null): Promise<boolean> {
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(hubModels);
  if (Number(n) > 0 || !rootRegionId) return false;
  await db.transaction(async (tx) => {
    const [chat] = await tx
      .insert(hubModels)
      .values({ name: 'edu-chat', kind: 'chat', vendor: '省电化教育馆', description: '省级教育大模型（对话），面向师生问答、学习辅导与阅卷辅助。', promptPrice: 200, completionPrice: 800, contextTokens: 32768 })
      .returning({ id: hubModels.id });
    const [embed] = await tx
      .insert(hubModels)
      .values({ name: 'edu-embed', kind: 'embedding', vendor: '省电化教育馆', description: '向量模型，用于知识库检索。', promptPrice: 50, completionPrice: 0, contextTokens: 8192 })
      .returning({ id: hubModels.id });
    const [node] = await tx
      .insert(hubNodes)
      .values({ name: '省级主节点（本机 Ollama）', tier: 'main', baseUrl: 'http://127.0.0.1:11434/v1', weight: 4, maxConcurrency: 8 })
      .returning({ id: hubNodes.id });
    await tx.insert(hubNodeModels).values([
      { nodeId: node.id, modelId: chat.id, upstreamModel: 'qwen2.5:7b' },
      { nodeId: node.id, modelId: embed.id, upstreamModel: 'bge-m3' },
    ]);
    const checklist = Object.fromEntries(CHECKLIST.map((k) => [k, { pass: true, note: '演示数据：已按省级评测报告核验' }]));
    for (const [modelId, name, purpose] of [
      [chat.id, '省级教育大模型（对话）', '师生问答、学习辅导、阅卷辅助'],
      [embed.id, '省级教育向量模型', '校本知识库检索'],
    ] as const) {
      const [p] = await tx
        .insert(hubProducts)
        .values({ name, kind: 'model', modelId, vendor: '省电化教育馆', purpose, dataTouched: ['学生提问文本', '作答文本'], gradeBands: ['primary', 'junior', 'senior', 'adult'], evidence: '省级教育大模型安全评测报告（演示）', status: 'approved', registeredBy: SYSTEM_USER })
        .returning({ id: hubProducts.id });
      const [r] = await tx.insert(hubReviews).values({ productId: p.id, reviewerId: SYSTEM_USER, decision: 'approve', checklist, comment: '演示数据：全省准入' }).returning({ id: hubReviews.id });
      await tx.insert(hubApprovals).values({ productId: p.id, reviewId: r.id, regionIds: [rootRegionId], schoolIds: [], gradeBands: ['primary', 'junior', 'senior', 'adult'] });
    }
    await tx.insert(hubProducts).values({
      name: '智学作文批改',
      kind: 'app',
      vendor: '杭州某教育科技有限公司',
      purpose: '初中语文作文自动批改与修改建议',
      dataTouched: ['学生作文', '姓名', '班级'],
      gradeBands: ['junior'],
      evidence: '第三方测评：与教师评分一致率 0.82（演示）',
      status: 'submitted',
      registeredBy: SYSTEM_USER,
    });
    await tx.insert(hubLexicon).values(LEXICON.map(([term, category, action, gradeBands]) => ({ term, category, action, gradeBands })));
    await tx.insert(hubPolicies).values([
      { gradeBand: 'primary', retentionDays: 90 },
      { gradeBand: 'junior', retentionDays: 180 },
      { gradeBand: 'senior', retentionDays: 180 },
      { gradeBand: 'adult', retentionDays: 365 },
    ]);
  });
  return true;
}
