/**
 * Field-level validation messages for the channel settings form, Chinese first, English available.
 * Messages never quote the submitted value (it may be a secret).
 */
import type { Locale } from './types'

export const VALIDATION_MESSAGES = {
  zh: {
    required: '此项必填',
    tooLong: '内容过长',
    url: '请输入以 http:// 或 https:// 开头的有效网址',
    dingtalkToken: '请输入钉钉机器人 Webhook 地址（https://oapi.dingtalk.com/robot/send?access_token=…）或其中的 access_token',
    dingtalkSecret: '加签密钥应为机器人安全设置「加签」下以 SEC 开头的字符串',
    keyword: '关键词最多 50 个字符，且不能包含换行',
    feishuWebhook: '请输入飞书/Lark 自定义机器人的 https Webhook 地址（…/open-apis/bot/v2/hook/…）',
    signSecret: '签名密钥不能包含空白字符',
    wecomKey: '请输入企业微信群机器人 Webhook 地址（https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…）或其中的 key',
    serverchanKey: '请输入 Server酱 SendKey：Turbo 版以 SCT 开头，Server酱³ 形如 sctp{数字}t…',
    barkDeviceKey: '请输入 Bark App 中的设备 Key（字母、数字、- 或 _）',
    barkLevel: '推送级别只能是 active、timeSensitive、passive 或 critical',
    barkVolume: '重要警告音量范围为 0–10',
    smtpHost: '请输入 SMTP 服务器地址',
    port: '端口范围为 1–65535',
    smtpSecurity: '加密方式只能是 SSL/TLS、STARTTLS 或不加密',
    email: '请输入有效的邮箱地址',
    mailbox: '发件人应为邮箱地址，或「名称 <邮箱地址>」',
    recipients: '请填写 1–20 个收件人邮箱',
    webhookSecret: 'HMAC 签名密钥至少 16 个字符',
    headerName: '请求头名称只能包含字母、数字和连字符（最多 64 个字符）',
    pushEndpoint: '推送地址须为 https 网址（由浏览器订阅时给出）',
    pushKey: '浏览器订阅的密钥格式不正确，请在此浏览器重新开启推送',
  },
  en: {
    required: 'Required',
    tooLong: 'Too long',
    url: 'Enter a valid URL starting with http:// or https://',
    dingtalkToken: 'Enter the DingTalk robot webhook URL (https://oapi.dingtalk.com/robot/send?access_token=…) or its access_token',
    dingtalkSecret: 'The signing secret is the string starting with SEC shown under the robot’s “加签” security setting',
    keyword: 'Keyword: at most 50 characters, no line breaks',
    feishuWebhook: 'Enter the https webhook URL of the Feishu/Lark custom bot (…/open-apis/bot/v2/hook/…)',
    signSecret: 'The signing secret must not contain whitespace',
    wecomKey: 'Enter the WeCom group robot webhook URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…) or its key',
    serverchanKey: 'Enter the ServerChan SendKey: SCT… for Turbo, sctp{number}t… for ServerChan³',
    barkDeviceKey: 'Enter the device key shown in the Bark app (letters, digits, - or _)',
    barkLevel: 'Level must be active, timeSensitive, passive or critical',
    barkVolume: 'Critical alert volume must be 0–10',
    smtpHost: 'Enter the SMTP server host',
    port: 'Port must be 1–65535',
    smtpSecurity: 'Security must be SSL/TLS, STARTTLS or none',
    email: 'Enter a valid email address',
    mailbox: 'Sender must be an email address or “Name <address>”',
    recipients: 'Enter 1–20 recipient addresses',
    webhookSecret: 'The HMAC secret must be at least 16 characters',
    headerName: 'Header name: letters, digits and hyphens only (at most 64)',
    pushEndpoint: 'The push endpoint must be an https URL (the browser gives it when subscribing)',
    pushKey: 'The browser subscription keys are malformed: turn push on again in this browser',
  },
} as const satisfies Record<Locale, Record<string, string>>

export type ValidationMessageKey = keyof (typeof VALIDATION_MESSAGES)['zh']

// Compile-time check that the English table has every key of the Chinese one.
const _enHasAllKeys: Record<ValidationMessageKey, string> = VALIDATION_MESSAGES.en
void _enHasAllKeys
